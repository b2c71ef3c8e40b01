import { z } from 'zod';
import { clientIdShape, clientMetadataShape, usernameShape } from '../shared/input-shapes.ts';

/**
 * Input fragments of the public (unsigned) code actions, with the Cognito API reference's
 * limits: SignUp, ConfirmSignUp, ResendConfirmationCode, ForgotPassword, ConfirmForgotPassword.
 */
export const secretHashShape = z.string().min(1).max(128).regex(/^[\w+=/]+$/, 'Member must satisfy regular expression pattern: [\\w+=/]+');
export const confirmationCodeShape = z.string().min(1).max(2048).regex(/^\S+$/, 'Member must satisfy regular expression pattern: [\\S]+');
export const analyticsMetadataShape = z.object({ AnalyticsEndpointId: z.string().optional() }).optional();
export const userContextDataShape = z.object({ IpAddress: z.string().optional(), EncodedData: z.string().optional() }).optional();

/** The input of the public actions that send a user a code (ForgotPassword, ResendConfirmationCode). */
export const codeRequestShape = z.object({
  ClientId: clientIdShape,
  SecretHash: secretHashShape.optional(),
  Username: usernameShape,
  AnalyticsMetadata: analyticsMetadataShape,
  UserContextData: userContextDataShape,
  ClientMetadata: clientMetadataShape,
});
