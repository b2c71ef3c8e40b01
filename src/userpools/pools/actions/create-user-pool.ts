import { z } from 'zod';
import { defineAction } from '../../../wire/aws-json-action.ts';
import type { UserPoolServices } from '../../services.ts';
import { createPool, describePool } from '../pool-directory.ts';
import { poolSettingsShape } from '../pool-settings.ts';
import { schemaAttributeShape } from '../schema-attributes.ts';

/** CreateUserPool (Cognito API reference). */
export const createUserPool = defineAction({
  name: 'CreateUserPool',
  authorization: 'iam',
  input: poolSettingsShape.extend({
    PoolName: z.string().min(1).max(128).regex(/^[\w\s+=,.@-]+$/, 'Member must satisfy regular expression pattern: [\\w\\s+=,.@-]+'),
    AliasAttributes: z.array(z.enum(['phone_number', 'email', 'preferred_username'])).max(3).optional(),
    UsernameAttributes: z.array(z.enum(['phone_number', 'email'])).max(2).optional(),
    UsernameConfiguration: z.object({ CaseSensitive: z.boolean() }).optional(),
    Schema: z.array(schemaAttributeShape).min(1).max(50).optional(),
  }),
  async handle(input, services: UserPoolServices) {
    const { PoolName, AliasAttributes, UsernameAttributes, UsernameConfiguration, Schema, ...settings } = input;
    const pool = await createPool(services, {
      name: PoolName,
      settings,
      schema: Schema,
      aliasAttributes: AliasAttributes,
      usernameAttributes: UsernameAttributes,
      usernameCaseSensitive: UsernameConfiguration?.CaseSensitive,
    });
    return { UserPool: describePool(services, pool, 0) };
  },
});
