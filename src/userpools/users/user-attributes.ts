import { InvalidParameterException } from '../errors.ts';
import { checkAttributeValue, type SchemaAttribute } from '../pools/schema-attributes.ts';

/**
 * Attribute rules shared by every action that writes user attributes (AdminCreateUser,
 * AdminUpdateUserAttributes, SignUp, UpdateUserAttributes): names must be in the pool's schema,
 * values must fit their type, email and phone_number must look like addresses, sub is read-only.
 */
const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
/** E.164, as Cognito requires for phone_number ("+" and up to 15 digits). */
const PHONE_PATTERN = /^\+[1-9]\d{1,14}$/;

export interface AttributeInput {
  Name: string;
  Value?: string;
}

export function attributesToMap(list: AttributeInput[] | undefined): Record<string, string> {
  const map: Record<string, string> = {};
  for (const { Name, Value } of list ?? []) map[Name] = Value ?? '';
  return map;
}

/**
 * InvalidParameterException about one attribute's value (malformed, against the schema, missing
 * while required): on the wire the same error, and it says which attribute, so a form can show it
 * next to that field.
 */
export class InvalidAttributeValue extends InvalidParameterException {
  constructor(readonly attributeName: string, message: string) {
    super(message);
  }
}

/** Validates attribute changes; `creating` means immutable attributes may still be set. */
export function checkAttributeChanges(schema: SchemaAttribute[], changes: Record<string, string>, options: { creating: boolean }): void {
  for (const [name, value] of Object.entries(changes)) {
    if (name === 'sub') throw new InvalidParameterException('Cannot modify the non-mutable attribute sub.');
    const attribute = schema.find((entry) => entry.Name === name);
    if (!attribute) throw new InvalidParameterException(`Attributes did not conform to the schema: ${name}: Attribute does not exist in the schema.`);
    if (!attribute.Mutable && !options.creating) throw new InvalidParameterException(`Cannot modify the non-mutable attribute ${name}.`);
    const problem = checkAttributeValue(attribute, value);
    if (problem) throw new InvalidAttributeValue(name, `Attributes did not conform to the schema: ${problem}`);
    if (name === 'email' && !EMAIL_PATTERN.test(value)) throw new InvalidAttributeValue(name, 'Invalid email address format.');
    if (name === 'phone_number' && !PHONE_PATTERN.test(value)) throw new InvalidAttributeValue(name, 'Invalid phone number format.');
  }
}

/** Required attributes (schema Required=true) must be present after a change. */
export function checkRequiredAttributes(schema: SchemaAttribute[], attributes: Record<string, string>): void {
  for (const attribute of schema) {
    if (attribute.Required && attribute.Name !== 'sub' && !attributes[attribute.Name]) {
      throw new InvalidAttributeValue(attribute.Name, `Attributes did not conform to the schema: ${attribute.Name}: The attribute ${attribute.Name} is required`);
    }
  }
}
