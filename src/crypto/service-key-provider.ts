import { hkdfSync, randomBytes } from 'node:crypto';
import { DecryptionFailed, openAesGcm, sealAesGcm } from './aes-gcm.ts';
import { canonicalContext, KeyUnusable, type EncryptionContext, type GeneratedDataKey, type KeyProvider } from './key-provider.ts';

export const SERVICE_KEY_REFERENCE = 'service';

/** The service-owned key: a key-encryption key derived from the region's root key. */
export class ServiceKeyProvider implements KeyProvider {
  readonly reference = SERVICE_KEY_REFERENCE;
  private readonly keyEncryptionKey: Buffer;

  constructor(rootKey: Buffer) {
    this.keyEncryptionKey = Buffer.from(hkdfSync('sha256', rootKey, Buffer.alloc(0), 'meridian/service-pool-key/v1', 32));
  }

  async generateDataKey(context: EncryptionContext): Promise<GeneratedDataKey> {
    const plaintext = randomBytes(32);
    return { plaintext, wrapped: sealAesGcm(this.keyEncryptionKey, plaintext, canonicalContext(context)) };
  }

  async wrapDataKey(plaintext: Buffer, context: EncryptionContext): Promise<Buffer> {
    return sealAesGcm(this.keyEncryptionKey, plaintext, canonicalContext(context));
  }

  /** The service key is always usable by the region that derived it. */
  async checkAccess(): Promise<void> {}

  async unwrapDataKey(wrapped: Buffer, context: EncryptionContext): Promise<Buffer> {
    try {
      return openAesGcm(this.keyEncryptionKey, wrapped, canonicalContext(context));
    } catch (error) {
      if (error instanceof DecryptionFailed) throw new KeyUnusable(this.reference, 'wrapped data key does not open under this region root key');
      throw error;
    }
  }
}
