import { declareError, type ServiceError } from '../wire/service-error.ts';

/**
 * KMS (TrentService) exceptions, with the HTTP statuses of the service model
 * (@aws-sdk/client-kms dist-es/schemas/schemas_0.js, `[_hE]`). AccessDeniedException and
 * ValidationException are AWS's common errors (400), not in the model. Domain code throws these
 * directly: in-process callers (the KmsKeyProvider) see the same errors as SDK callers.
 */
export const NotFoundException = declareError('NotFoundException', 404);
export const DisabledException = declareError('DisabledException', 409);
export const KMSInvalidStateException = declareError('KMSInvalidStateException', 409);
export const AlreadyExistsException = declareError('AlreadyExistsException', 409);
export const InvalidCiphertextException = declareError('InvalidCiphertextException', 400);
export const IncorrectKeyException = declareError('IncorrectKeyException', 400);
export const InvalidKeyUsageException = declareError('InvalidKeyUsageException', 400);
export const InvalidAliasNameException = declareError('InvalidAliasNameException', 400);
export const InvalidMarkerException = declareError('InvalidMarkerException', 400);
export const MalformedPolicyDocumentException = declareError('MalformedPolicyDocumentException', 400);
export const LimitExceededException = declareError('LimitExceededException', 400);
export const UnsupportedOperationException = declareError('UnsupportedOperationException', 400);
export const TagException = declareError('TagException', 400);
export const AccessDeniedException = declareError('AccessDeniedException', 400);
export const ValidationException = declareError('ValidationException', 400);
export const DependencyTimeoutException = declareError('DependencyTimeoutException', 503);
export const KMSInternalException = declareError('KMSInternalException', 500);
export const ConflictException = declareError('ConflictException', 409);

const KNOWN_ERRORS = new Map(
  Object.entries({
    NotFoundException,
    DisabledException,
    KMSInvalidStateException,
    AlreadyExistsException,
    InvalidCiphertextException,
    IncorrectKeyException,
    InvalidKeyUsageException,
    InvalidAliasNameException,
    InvalidMarkerException,
    MalformedPolicyDocumentException,
    LimitExceededException,
    UnsupportedOperationException,
    TagException,
    AccessDeniedException,
    ValidationException,
    DependencyTimeoutException,
    KMSInternalException,
    ConflictException,
  }),
);

/** The error class of a wire `__type` another Region's KMS answered with (KMSInternalException if unknown). */
export function kmsErrorOf(type: string, message: string): ServiceError {
  const ErrorClass = KNOWN_ERRORS.get(type) ?? KMSInternalException;
  return new ErrorClass(message);
}
