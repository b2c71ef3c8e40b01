import { declareError } from '../wire/service-error.ts';

/**
 * Cognito user-pool exceptions, with the HTTP statuses from the service model
 * (@aws-sdk/client-cognito-identity-provider schemas): 400 unless noted there.
 */
export const InvalidParameterException = declareError('InvalidParameterException');
export const ResourceNotFoundException = declareError('ResourceNotFoundException', 404);
export const UserNotFoundException = declareError('UserNotFoundException', 404);
export const NotAuthorizedException = declareError('NotAuthorizedException', 403);
export const UsernameExistsException = declareError('UsernameExistsException');
export const AliasExistsException = declareError('AliasExistsException');
export const GroupExistsException = declareError('GroupExistsException');
export const InvalidPasswordException = declareError('InvalidPasswordException');
export const LimitExceededException = declareError('LimitExceededException');
export const TooManyRequestsException = declareError('TooManyRequestsException', 429);
export const InvalidUserPoolConfigurationException = declareError('InvalidUserPoolConfigurationException');
export const InvalidOAuthFlowException = declareError('InvalidOAuthFlowException');
export const ScopeDoesNotExistException = declareError('ScopeDoesNotExistException');
export const UnsupportedUserStateException = declareError('UnsupportedUserStateException');
export const UserNotConfirmedException = declareError('UserNotConfirmedException');
export const PasswordResetRequiredException = declareError('PasswordResetRequiredException');
export const CodeMismatchException = declareError('CodeMismatchException');
export const ExpiredCodeException = declareError('ExpiredCodeException');
export const OperationNotEnabledException = declareError('OperationNotEnabledException');
export const FeatureUnavailableInTierException = declareError('FeatureUnavailableInTierException', 403);
export const ConcurrentModificationException = declareError('ConcurrentModificationException');
export const InternalErrorException = declareError('InternalErrorException', 500);
export const UnsupportedTokenTypeException = declareError('UnsupportedTokenTypeException');
export const UnauthorizedException = declareError('UnauthorizedException', 401);
export const UnsupportedOperationException = declareError('UnsupportedOperationException');
export const CodeDeliveryFailureException = declareError('CodeDeliveryFailureException');
