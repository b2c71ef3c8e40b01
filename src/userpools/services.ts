import type { KeyProvider } from '../crypto/key-provider.ts';
import type { PoolVault } from '../crypto/pool-vault.ts';
import type { MessageSender } from './messages/message-sender.ts';
import type { LockoutStore } from '../auth/lockout/lockout-store.ts';
import type { SigningKeyCache } from '../auth/tokens/signing-key-cache.ts';

/** What Cognito actions are given: the region's identity and its domain services. */
export interface UserPoolServices {
  region: string;
  accountId: string;
  /** Base URL of this region, used in issuers. */
  publicUrl: string;
  vault: PoolVault;
  /** Wraps data keys of pools on AWS_OWNED_KEY. */
  serviceKey: KeyProvider;
  messages: MessageSender;
  signingKeys: SigningKeyCache;
  lockouts: LockoutStore;
  now(): number;
}
