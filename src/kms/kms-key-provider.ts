import { KeyUnusable, type EncryptionContext, type GeneratedDataKey, type KeyProvider } from '../crypto/key-provider.ts';
import { ServiceError } from '../wire/service-error.ts';
import { keyArnInRegion } from './key-ids.ts';
import type { KeyService } from './key-service.ts';
import type { KmsClient } from './kms-client.ts';
import { keyUnusableFor } from './key-unusable.ts';

/** The service principal user pools act as towards KMS keys, as in AWS. */
export const COGNITO_SERVICE_PRINCIPAL = 'cognito-idp.amazonaws.com';

/**
 * A pool's data key wrapped by a customer-managed key of the built-in KMS (KeyConfiguration with a
 * customer key). `reference` is the key ARN stored beside the wrapped key; calls go in-process as
 * `cognito-idp.amazonaws.com`, with `{userPoolId}` as the encryption context, so the key policy must
 * grant that principal kms:GenerateDataKey and kms:Decrypt (see docs/KEYS.md). When the key cannot be
 * used (disabled, pending deletion, deleted, policy refuses) the call fails with KeyUnusable and a
 * reason the pool's callers can act on.
 */
export class KmsKeyProvider implements KeyProvider {
  /**
   * @param clientFor the KMS client to use for a call with this encryption context
   * @param keyId what to pass as KeyId: the reference, or this Region's ARN of a multi-Region key
   */
  constructor(
    readonly reference: string,
    private readonly clientFor: (context: EncryptionContext) => KmsClient,
    private readonly keyId: string = reference,
  ) {}

  /**
   * The provider for pools of `region` (account `accountId`): principal cognito-idp.amazonaws.com,
   * with aws:SourceAccount and aws:SourceArn (the pool ARN) for confused-deputy conditions.
   */
  static forPools(keys: KeyService, reference: string, region: string): KmsKeyProvider {
    const accountId = keys.core.accountId;
    return new KmsKeyProvider(
      reference,
      (context) =>
        keys.asPrincipal({
          service: COGNITO_SERVICE_PRINCIPAL,
          sourceAccount: accountId,
          ...(context.userPoolId ? { sourceArn: `arn:aws:cognito-idp:${region}:${accountId}:userpool/${context.userPoolId}` } : {}),
        }),
      keyArnInRegion(reference, region),
    );
  }

  async generateDataKey(context: EncryptionContext): Promise<GeneratedDataKey> {
    try {
      const result = await this.clientFor(context).generateDataKey({ KeyId: this.keyId, KeySpec: 'AES_256', EncryptionContext: context });
      return { plaintext: result.Plaintext, wrapped: result.CiphertextBlob };
    } catch (error) {
      throw this.translate(error);
    }
  }

  async unwrapDataKey(wrapped: Buffer, context: EncryptionContext): Promise<Buffer> {
    try {
      return (await this.clientFor(context).decrypt({ KeyId: this.keyId, CiphertextBlob: wrapped, EncryptionContext: context })).Plaintext;
    } catch (error) {
      throw this.translate(error);
    }
  }

  async wrapDataKey(plaintext: Buffer, context: EncryptionContext): Promise<Buffer> {
    try {
      return (await this.clientFor(context).encrypt({ KeyId: this.keyId, Plaintext: plaintext, EncryptionContext: context })).CiphertextBlob;
    } catch (error) {
      throw this.translate(error);
    }
  }

  /** DescribeKey (enabled?), then a GenerateDataKey/Decrypt round trip with the pool's context. */
  async checkAccess(context: EncryptionContext): Promise<void> {
    try {
      const { KeyMetadata } = await this.clientFor(context).describeKey({ KeyId: this.keyId });
      if (KeyMetadata.KeyState !== 'Enabled') throw new KeyUnusable(this.reference, `the KMS key is ${KeyMetadata.KeyState}, not Enabled`);
    } catch (error) {
      throw this.translate(error);
    }
    const { plaintext, wrapped } = await this.generateDataKey(context);
    const opened = await this.unwrapDataKey(wrapped, context);
    if (!opened.equals(plaintext)) throw new KeyUnusable(this.reference, 'Decrypt did not return the data key GenerateDataKey made');
  }

  private translate(error: unknown): unknown {
    return error instanceof ServiceError ? (keyUnusableFor(this.reference, error.type, error.message) ?? error) : error;
  }
}
