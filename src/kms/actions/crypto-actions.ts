import { z } from 'zod';
import { blob, encryptionContext, keyId, kmsAction, unsupportedParameters } from './wire.ts';

/** Grant tokens are accepted and ignored: Meridian's KMS has no grants, so they cannot widen access. */
const grantTokens = z.array(z.string()).optional();

const dataKeyRequest = z.object({
  KeyId: keyId,
  EncryptionContext: encryptionContext.optional(),
  NumberOfBytes: z.number().int().optional(),
  KeySpec: z.string().optional(),
  GrantTokens: grantTokens,
  ...unsupportedParameters,
});

export const cryptoActions = [
  kmsAction(
    'Encrypt',
    z.object({ KeyId: keyId, Plaintext: blob, EncryptionContext: encryptionContext.optional(), EncryptionAlgorithm: z.string().optional(), GrantTokens: grantTokens, ...unsupportedParameters }),
    (client, input) => client.encrypt(input),
  ),
  kmsAction(
    'Decrypt',
    z.object({ CiphertextBlob: blob, EncryptionContext: encryptionContext.optional(), KeyId: keyId.optional(), EncryptionAlgorithm: z.string().optional(), GrantTokens: grantTokens, ...unsupportedParameters }),
    (client, input) => client.decrypt(input),
  ),
  kmsAction('GenerateDataKey', dataKeyRequest, (client, input) => client.generateDataKey(input)),
  kmsAction('GenerateDataKeyWithoutPlaintext', dataKeyRequest, (client, input) => client.generateDataKeyWithoutPlaintext(input)),
  kmsAction(
    'ReEncrypt',
    z.object({
      CiphertextBlob: blob,
      SourceEncryptionContext: encryptionContext.optional(),
      SourceKeyId: keyId.optional(),
      DestinationKeyId: keyId,
      DestinationEncryptionContext: encryptionContext.optional(),
      SourceEncryptionAlgorithm: z.string().optional(),
      DestinationEncryptionAlgorithm: z.string().optional(),
      GrantTokens: grantTokens,
      ...unsupportedParameters,
    }),
    (client, input) => client.reEncrypt(input),
  ),
];
