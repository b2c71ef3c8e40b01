import type { EncryptionContext } from '../../crypto/key-provider.ts';
import { AccessDeniedException } from '../errors.ts';
import { isAccountRoot, principalName, type KmsPrincipal } from '../principal.ts';
import { parseKeyPolicy, type KeyPolicy } from './policy-document.ts';
import { evaluatePolicy, type PolicyDecision } from './policy-evaluation.ts';

const PARSED_POLICY_CACHE_LIMIT = 512;

/**
 * Decides every KMS call. Key operations are decided by the key's policy alone (KMS's rule: the
 * key policy is the primary and here the only resource policy). Account-level operations
 * (CreateKey, ListKeys, ListAliases, ...) have no key: AWS decides them with IAM identity policies,
 * which Meridian does not have, so only the account root (the admin credentials) may call them.
 */
export class KeyAuthorizer {
  private readonly parsed = new Map<string, KeyPolicy>();

  constructor(private readonly accountId: string) {}

  /** Parses (and caches) a stored policy; stored policies were validated when they were set. */
  policyOf(text: string): KeyPolicy {
    let policy = this.parsed.get(text);
    if (!policy) {
      policy = parseKeyPolicy(text);
      if (this.parsed.size >= PARSED_POLICY_CACHE_LIMIT) this.parsed.delete(this.parsed.keys().next().value!);
      this.parsed.set(text, policy);
    }
    return policy;
  }

  decide(principal: KmsPrincipal, operation: string, key: { arn: string; policy: string }, context: EncryptionContext | null = null): PolicyDecision {
    return evaluatePolicy(this.policyOf(key.policy), {
      principal,
      action: `kms:${operation}`,
      resource: key.arn,
      conditionKeys: conditionKeys(principal, this.accountId, context),
    });
  }

  /** Throws AccessDeniedException, in KMS's words, unless the key policy allows the call. */
  authorize(principal: KmsPrincipal, operation: string, key: { arn: string; policy: string }, context: EncryptionContext | null = null): void {
    const decision = this.decide(principal, operation, key, context);
    if (decision === 'allow') return;
    const action = `kms:${operation}`;
    const reason = decision === 'explicit-deny' ? 'with an explicit deny in a resource-based policy' : `because no resource-based policy allows the ${action} action`;
    throw new AccessDeniedException(`User: ${principalName(principal)} is not authorized to perform: ${action} on resource: ${key.arn} ${reason}`);
  }

  authorizeAccountOperation(principal: KmsPrincipal, operation: string): void {
    if (isAccountRoot(principal, this.accountId)) return;
    const action = `kms:${operation}`;
    throw new AccessDeniedException(`User: ${principalName(principal)} is not authorized to perform: ${action} on resource: * because no identity-based policy allows the ${action} action`);
  }
}

/**
 * The condition keys a request carries (KMS Developer Guide, "Condition keys for AWS KMS", and the
 * global aws: keys). Names are lower-cased, since IAM condition key names are case-insensitive.
 */
function conditionKeys(principal: KmsPrincipal, accountId: string, context: EncryptionContext | null): Map<string, string[]> {
  const keys = new Map<string, string[]>();
  if ('arn' in principal) {
    keys.set('aws:principalarn', [principal.arn]);
    keys.set('kms:calleraccount', [accountId]);
  } else {
    keys.set('aws:principalservicename', [principal.service]);
    if (principal.sourceArn) keys.set('aws:sourcearn', [principal.sourceArn]);
    if (principal.sourceAccount) keys.set('aws:sourceaccount', [principal.sourceAccount]);
  }
  if (context) {
    for (const [name, value] of Object.entries(context)) keys.set(`kms:encryptioncontext:${name.toLowerCase()}`, [value]);
    if (Object.keys(context).length > 0) keys.set('kms:encryptioncontextkeys', Object.keys(context));
  }
  return keys;
}
