import { z } from 'zod';
import { defineAction } from '../../../wire/aws-json-action.ts';
import { tokenShape } from '../../account/actions/token-shapes.ts';
import type { UserPoolServices } from '../../services.ts';
import { clientIdShape } from '../../shared/input-shapes.ts';
import { revokeToken as revoke } from '../revoke-token.ts';

export const revokeToken = defineAction({
  name: 'RevokeToken',
  authorization: 'public',
  input: z.object({
    Token: tokenShape,
    ClientId: clientIdShape,
    ClientSecret: z.string().min(1).max(64).regex(/^[\w+]+$/, 'Member must satisfy regular expression pattern: [\\w+]+').optional(),
    // Links to SSO sessions, which Meridian does not have: NONE and LINKED revoke the same.
    RevokeAssociatedSessions: z.enum(['NONE', 'LINKED']).optional(),
  }),
  async handle(input, services: UserPoolServices) {
    await revoke(services, { token: input.Token, clientId: input.ClientId, clientSecret: input.ClientSecret });
    return {};
  },
});
