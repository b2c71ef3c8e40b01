import { z } from 'zod';
import { defineAction } from '../../../wire/aws-json-action.ts';
import { authenticateAccessToken } from '../../auth/access-token.ts';
import type { UserPoolServices } from '../../services.ts';
import { clientMetadataShape } from '../../shared/input-shapes.ts';
import { sendAttributeCode, verifiableAttribute } from '../attribute-verification.ts';
import { tokenShape } from './token-shapes.ts';

/**
 * GetUserAttributeVerificationCode (Cognito API reference): sends the signed-in user a code for
 * their email or phone_number, under the hourly code limit of public actions.
 */
export const getUserAttributeVerificationCode = defineAction({
  name: 'GetUserAttributeVerificationCode',
  authorization: 'token',
  input: z.object({ AccessToken: tokenShape, AttributeName: z.string().min(1).max(32), ClientMetadata: clientMetadataShape }),
  async handle(input, services: UserPoolServices) {
    const auth = await authenticateAccessToken(services, input.AccessToken);
    return { CodeDeliveryDetails: await sendAttributeCode(services, auth, verifiableAttribute(input.AttributeName), { limited: true }) };
  },
});
