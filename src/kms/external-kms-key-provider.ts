import { DecryptCommand, DescribeKeyCommand, EncryptCommand, GenerateDataKeyCommand, KMSClient, type KMSClientConfig } from '@aws-sdk/client-kms';
import { KeyUnusable, type EncryptionContext, type GeneratedDataKey, type KeyProvider } from '../crypto/key-provider.ts';
import { keyUnusableFor } from './key-unusable.ts';

const KEY_ARN_REGION = /^arn:aws[a-z-]*:kms:([a-z0-9-]+):\d{12}:key\//;

export interface ExternalKmsOptions {
  /** Any AWS KMS-compatible endpoint (AWS itself when absent, another Meridian Region, ...). */
  endpoint?: string;
  /** Defaults to the Region in the key ARN. */
  region?: string;
  /** Defaults to the SDK's credential chain. */
  credentials?: KMSClientConfig['credentials'];
  /** Attempts per call (the SDK retries throttling and 5xx); default 3. */
  maxAttempts?: number;
}

/**
 * A pool's data key wrapped by a KMS key in an external, AWS KMS-compatible service (AWS KMS, or
 * another Meridian), through `@aws-sdk/client-kms`: GenerateDataKey (AES_256) and Decrypt with
 * `{userPoolId}` as encryption context. The caller is whatever the credentials are; the external
 * key policy must allow it. Errors become KeyUnusable with the same reasons as the built-in KMS;
 * an unreachable endpoint is KeyUnusable too, since the pool cannot be opened either way.
 */
export class ExternalKmsKeyProvider implements KeyProvider {
  constructor(
    readonly reference: string,
    private readonly client: KMSClient,
  ) {}

  static connect(keyArn: string, options: ExternalKmsOptions = {}): ExternalKmsKeyProvider {
    const region = options.region ?? KEY_ARN_REGION.exec(keyArn)?.[1];
    if (!region) throw new Error(`cannot tell the Region of ${keyArn}: pass options.region`);
    return new ExternalKmsKeyProvider(
      keyArn,
      new KMSClient({
        region,
        maxAttempts: options.maxAttempts ?? 3,
        ...(options.endpoint ? { endpoint: options.endpoint } : {}),
        ...(options.credentials ? { credentials: options.credentials } : {}),
      }),
    );
  }

  async generateDataKey(context: EncryptionContext): Promise<GeneratedDataKey> {
    try {
      const result = await this.client.send(new GenerateDataKeyCommand({ KeyId: this.reference, KeySpec: 'AES_256', EncryptionContext: context }));
      if (!result.Plaintext || !result.CiphertextBlob) throw new KeyUnusable(this.reference, 'the external KMS answered GenerateDataKey without a data key');
      return { plaintext: Buffer.from(result.Plaintext), wrapped: Buffer.from(result.CiphertextBlob) };
    } catch (error) {
      throw this.translate(error);
    }
  }

  async unwrapDataKey(wrapped: Buffer, context: EncryptionContext): Promise<Buffer> {
    try {
      const result = await this.client.send(new DecryptCommand({ KeyId: this.reference, CiphertextBlob: wrapped, EncryptionContext: context }));
      if (!result.Plaintext) throw new KeyUnusable(this.reference, 'the external KMS answered Decrypt without a plaintext');
      return Buffer.from(result.Plaintext);
    } catch (error) {
      throw this.translate(error);
    }
  }

  async wrapDataKey(plaintext: Buffer, context: EncryptionContext): Promise<Buffer> {
    try {
      const result = await this.client.send(new EncryptCommand({ KeyId: this.reference, Plaintext: plaintext, EncryptionContext: context }));
      if (!result.CiphertextBlob) throw new KeyUnusable(this.reference, 'the external KMS answered Encrypt without a ciphertext');
      return Buffer.from(result.CiphertextBlob);
    } catch (error) {
      throw this.translate(error);
    }
  }

  /** DescribeKey, then a GenerateDataKey/Decrypt round trip with the pool's context. */
  async checkAccess(context: EncryptionContext): Promise<void> {
    try {
      const { KeyMetadata } = await this.client.send(new DescribeKeyCommand({ KeyId: this.reference }));
      if (KeyMetadata?.KeyState !== 'Enabled') throw new KeyUnusable(this.reference, `the KMS key is ${KeyMetadata?.KeyState ?? 'unknown'}, not Enabled`);
    } catch (error) {
      throw this.translate(error);
    }
    const { plaintext, wrapped } = await this.generateDataKey(context);
    if (!(await this.unwrapDataKey(wrapped, context)).equals(plaintext)) throw new KeyUnusable(this.reference, 'Decrypt did not return the data key GenerateDataKey made');
  }

  destroy(): void {
    this.client.destroy();
  }

  private translate(error: unknown): unknown {
    if (error instanceof KeyUnusable) return error;
    const { name, message, $metadata } = error as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
    const known = name ? keyUnusableFor(this.reference, name, message ?? '') : null;
    if (known) return known;
    // No HTTP status: the request never got an answer (refused, reset, timed out, DNS).
    if (!$metadata?.httpStatusCode) return new KeyUnusable(this.reference, `the external KMS could not be reached: ${message ?? String(error)}`);
    return error;
  }
}
