import { z } from 'zod';

/**
 * User-pool attribute schema: Cognito's standard attributes (OpenID Connect core §5.1 claims plus
 * sub) and a pool's custom attributes, which live under `custom:` (CreateUserPool API reference,
 * "SchemaAttributeType").
 */
export type AttributeDataType = 'String' | 'Number' | 'DateTime' | 'Boolean';

export interface SchemaAttribute {
  Name: string;
  AttributeDataType: AttributeDataType;
  DeveloperOnlyAttribute: boolean;
  Mutable: boolean;
  Required: boolean;
  StringAttributeConstraints?: { MinLength?: string; MaxLength?: string };
  NumberAttributeConstraints?: { MinValue?: string; MaxValue?: string };
}

export const schemaAttributeShape = z.object({
  Name: z.string().min(1).max(20).regex(/^[\p{L}\p{M}\p{S}\p{N}\p{P}]+$/u),
  AttributeDataType: z.enum(['String', 'Number', 'DateTime', 'Boolean']).optional(),
  DeveloperOnlyAttribute: z.boolean().optional(),
  Mutable: z.boolean().optional(),
  Required: z.boolean().optional(),
  NumberAttributeConstraints: z.object({ MinValue: z.string().regex(/^-?\d+$/).optional(), MaxValue: z.string().regex(/^-?\d+$/).optional() }).optional(),
  StringAttributeConstraints: z.object({ MinLength: z.string().regex(/^\d+$/).optional(), MaxLength: z.string().regex(/^\d+$/).optional() }).optional(),
});
export type SchemaAttributeInput = z.infer<typeof schemaAttributeShape>;

const text = (name: string, mutable = true, max = '2048'): SchemaAttribute => ({
  Name: name,
  AttributeDataType: 'String',
  DeveloperOnlyAttribute: false,
  Mutable: mutable,
  Required: false,
  StringAttributeConstraints: { MinLength: '0', MaxLength: max },
});
const flag = (name: string): SchemaAttribute => ({ Name: name, AttributeDataType: 'Boolean', DeveloperOnlyAttribute: false, Mutable: true, Required: false });

export const STANDARD_ATTRIBUTES: readonly SchemaAttribute[] = [
  text('sub', false, '2048'),
  text('name'),
  text('given_name'),
  text('family_name'),
  text('middle_name'),
  text('nickname'),
  text('preferred_username'),
  text('profile'),
  text('picture'),
  text('website'),
  text('email'),
  flag('email_verified'),
  text('gender'),
  { ...text('birthdate'), StringAttributeConstraints: { MinLength: '10', MaxLength: '10' } },
  text('zoneinfo'),
  text('locale'),
  text('phone_number'),
  flag('phone_number_verified'),
  text('address'),
  { Name: 'updated_at', AttributeDataType: 'Number', DeveloperOnlyAttribute: false, Mutable: true, Required: false, NumberAttributeConstraints: { MinValue: '0' } },
  text('identities'),
];
STANDARD_ATTRIBUTES[0]!.Required = true;

const STANDARD_NAMES = new Set(STANDARD_ATTRIBUTES.map((attribute) => attribute.Name));
const MAXIMUM_CUSTOM_ATTRIBUTES = 50;

export function isStandardAttribute(name: string): boolean {
  return STANDARD_NAMES.has(name);
}

/**
 * Builds a pool's full schema from CreateUserPool's `Schema`: standard attributes may be made
 * required or immutable; other names become `custom:` attributes. Returns an error message for
 * input Cognito rejects, so the action can raise InvalidParameterException.
 */
export function buildSchema(input: SchemaAttributeInput[] | undefined): { schema: SchemaAttribute[] } | { error: string } {
  const schema = STANDARD_ATTRIBUTES.map((attribute) => ({ ...attribute }));
  const seen = new Set<string>();
  let customCount = 0;
  for (const entry of input ?? []) {
    const bareName = entry.Name.startsWith('custom:') ? entry.Name.slice('custom:'.length) : entry.Name;
    if (seen.has(bareName)) return { error: `Duplicate attribute name in schema: ${bareName}` };
    seen.add(bareName);
    const standard = schema.find((attribute) => attribute.Name === bareName && !entry.Name.startsWith('custom:'));
    if (standard) {
      if (bareName === 'sub') return { error: 'The sub attribute cannot be changed.' };
      if (entry.AttributeDataType && entry.AttributeDataType !== standard.AttributeDataType) {
        return { error: `Invalid AttributeDataType input for standard attribute ${bareName}.` };
      }
      standard.Required = entry.Required ?? standard.Required;
      standard.Mutable = entry.Mutable ?? standard.Mutable;
      if (entry.StringAttributeConstraints && standard.AttributeDataType === 'String') {
        standard.StringAttributeConstraints = { ...standard.StringAttributeConstraints, ...entry.StringAttributeConstraints };
      }
      continue;
    }
    if (entry.Required) return { error: `Required custom attributes are not supported currently: ${bareName}.` };
    customCount += 1;
    if (customCount > MAXIMUM_CUSTOM_ATTRIBUTES) return { error: `A user pool can have at most ${MAXIMUM_CUSTOM_ATTRIBUTES} custom attributes.` };
    const dataType = entry.AttributeDataType ?? 'String';
    const custom: SchemaAttribute = {
      Name: `custom:${bareName}`,
      AttributeDataType: dataType,
      DeveloperOnlyAttribute: entry.DeveloperOnlyAttribute ?? false,
      Mutable: entry.Mutable ?? true,
      Required: false,
    };
    if (dataType === 'String') custom.StringAttributeConstraints = { MinLength: '0', MaxLength: '2048', ...entry.StringAttributeConstraints };
    if (dataType === 'Number') custom.NumberAttributeConstraints = { ...entry.NumberAttributeConstraints };
    const min = Number(custom.StringAttributeConstraints?.MinLength ?? 0);
    const max = Number(custom.StringAttributeConstraints?.MaxLength ?? 2048);
    if (min > max || max > 2048) return { error: `Invalid StringAttributeConstraints for ${bareName}.` };
    schema.push(custom);
  }
  return { schema };
}

/**
 * Checks one attribute value against its schema entry; returns an error message or null.
 * Cognito stores every value as a string on the wire, so types are checked by their text form.
 */
export function checkAttributeValue(attribute: SchemaAttribute, value: string): string | null {
  const { Name: name } = attribute;
  switch (attribute.AttributeDataType) {
    case 'Number': {
      if (!/^-?\d+(\.\d+)?$/.test(value)) return `Attribute ${name} must be a number.`;
      const { MinValue, MaxValue } = attribute.NumberAttributeConstraints ?? {};
      if (MinValue !== undefined && Number(value) < Number(MinValue)) return `Attribute ${name} is below its minimum value.`;
      if (MaxValue !== undefined && Number(value) > Number(MaxValue)) return `Attribute ${name} is above its maximum value.`;
      return null;
    }
    case 'Boolean':
      return value === 'true' || value === 'false' ? null : `Attribute ${name} must be true or false.`;
    case 'DateTime':
      return Number.isNaN(Date.parse(value)) && !/^\d+$/.test(value) ? `Attribute ${name} must be a date.` : null;
    default: {
      const { MinLength = '0', MaxLength = '2048' } = attribute.StringAttributeConstraints ?? {};
      const length = [...value].length;
      if (length < Number(MinLength) || length > Number(MaxLength)) return `String attribute ${name} length must be between ${MinLength} and ${MaxLength}.`;
      return null;
    }
  }
}
