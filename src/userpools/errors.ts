import { declareError } from '../wire/service-error.ts';

/**
 * Cognito user-pool exceptions. The live service answers its client errors with HTTP 400
 * (COGNITO-FACTS; e.g. "Status Code: 400; Error Code: NotAuthorizedException" for a wrong password,
 * and the same for ResourceNotFoundException, UserNotFoundException and TooManyRequestsException),
 * though the SDK's service model declares 403, 404 and 429 for some: the SDK picks the exception by
 * `__type` either way, and code that looks at the status sees what Cognito sends.
 */
export const InvalidParameterException = declareError('InvalidParameterException');
export const ResourceNotFoundException = declareError('ResourceNotFoundException');
export const UserNotFoundException = declareError('UserNotFoundException');
export const NotAuthorizedException = declareError('NotAuthorizedException');
export const UsernameExistsException = declareError('UsernameExistsException');
export const AliasExistsException = declareError('AliasExistsException');
export const GroupExistsException = declareError('GroupExistsException');
export const InvalidPasswordException = declareError('InvalidPasswordException');
export const LimitExceededException = declareError('LimitExceededException');
export const TooManyRequestsException = declareError('TooManyRequestsException');
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
