import { z } from 'zod';
import { defineAction } from '../../../wire/aws-json-action.ts';
import { authenticateAccessToken } from '../../auth/access-token.ts';
import type { UserPoolServices } from '../../services.ts';
import { verifiableAttribute, verifyAttribute } from '../attribute-verification.ts';
import { tokenShape } from './token-shapes.ts';

/** VerifyUserAttribute (Cognito API reference): a code from GetUserAttributeVerificationCode or UpdateUserAttributes marks the attribute verified. */
export const verifyUserAttribute = defineAction({
  name: 'VerifyUserAttribute',
  authorization: 'token',
  input: z.object({ AccessToken: tokenShape, AttributeName: z.string().min(1).max(32), Code: z.string().regex(/^[\S]+$/).max(2048) }),
  async handle(input, services: UserPoolServices) {
    const auth = await authenticateAccessToken(services, input.AccessToken);
    await verifyAttribute(services, auth, verifiableAttribute(input.AttributeName), input.Code);
    return {};
  },
});
