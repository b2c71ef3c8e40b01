import type { KeyProvider } from '../crypto/key-provider.ts';
import type { PoolVault } from '../crypto/pool-vault.ts';
import type { MessageSender } from './messages/message-sender.ts';
import type { LockoutStore } from '../auth/lockout/lockout-store.ts';
import type { SigningKeyCache } from '../auth/tokens/signing-key-cache.ts';
import type { UsageCounter } from '../metering/usage-counter.ts';
import type { ReplicaLifecycle } from './replicas/replica-lifecycle.ts';

/** What Cognito actions are given: the region's identity and its domain services. */
export interface UserPoolServices {
  region: string;
  accountId: string;
  /** Base URL of this region, used in issuers. */
  publicUrl: string;
  /** Base of the global issuer (IssuerConfiguration UPDATED), from the region catalog. */
  globalIssuerUrl?: string;
  vault: PoolVault;
  /** Wraps data keys of pools on AWS_OWNED_KEY. */
  serviceKey: KeyProvider;
  /** The provider for a KeyConfiguration's KMS key ARN (built-in KMS, or an external one by config). */
  customerKey(keyArn: string): KeyProvider;
  messages: MessageSender;
  signingKeys: SigningKeyCache;
  lockouts: LockoutStore;
  /** Region-local usage counts (M2M tokens), src/metering. */
  usage: UsageCounter;
  /**
   * Parent domain of host-named OAuth endpoints (`<prefix>.<authDomain>`), e.g. `auth.example.com`;
   * absent: only the path form `<publicUrl>/<prefix>/oauth2/...` (src/oauth/pool-resolution.ts).
   */
  authDomain?: string;
  /** Replicas of pools across regions; absent when the region has no peers (no catalog). */
  replicas?: ReplicaLifecycle;
  now(): number;
}
