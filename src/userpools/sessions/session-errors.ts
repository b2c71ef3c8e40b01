import { declareError } from '../../wire/service-error.ts';

/**
 * RevokeToken's exceptions that no other action uses yet, with the service model's statuses
 * (@aws-sdk/client-cognito-identity-provider schemas). They belong with the rest in
 * userpools/errors.ts once that file can take them.
 */
export const UnauthorizedException = declareError('UnauthorizedException', 401);
export const UnsupportedOperationException = declareError('UnsupportedOperationException');
