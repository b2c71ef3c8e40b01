import { KeyUnusable } from '../crypto/key-provider.ts';

/**
 * Why a pool's KMS key cannot be used, from the KMS error the call got (the same names in-process
 * and from @aws-sdk/client-kms). Errors that say nothing about the key (a bug, bad input) are
 * not translated: null.
 */
const REASONS: Record<string, string> = {
  DisabledException: 'the KMS key is disabled',
  KMSInvalidStateException: 'the KMS key is not in a usable state (pending deletion)',
  AccessDeniedException: 'the key policy does not allow cognito-idp.amazonaws.com this operation (kms:GenerateDataKey / kms:Decrypt with the pool encryption context)',
  NotFoundException: 'the KMS key does not exist (deleted, or no replica in this Region)',
  InvalidCiphertextException: 'the wrapped data key does not open with this KMS key and encryption context',
  IncorrectKeyException: 'the wrapped data key was made with another KMS key',
  KeyUnavailableException: 'the KMS key is unavailable',
  DependencyTimeoutException: 'the KMS did not answer in time',
  KMSInternalException: 'the KMS failed internally',
  UnrecognizedClientException: 'the KMS does not accept the credentials Meridian signs with',
  InvalidSignatureException: 'the KMS does not accept the credentials Meridian signs with',
};

export function keyUnusableFor(keyReference: string, errorName: string, message: string): KeyUnusable | null {
  const reason = REASONS[errorName];
  return reason ? new KeyUnusable(keyReference, `${reason}: ${errorName}: ${message}`) : null;
}
