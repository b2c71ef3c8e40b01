import { MalformedPolicyDocumentException, NotFoundException } from '../errors.ts';
import { arnOf, requireKey, updateKey, type KmsCall, type KmsCore } from '../kms-core.ts';
import type { KmsClient } from '../kms-client.ts';
import type { KmsPrincipal } from '../principal.ts';
import { pageLimit } from '../paging.ts';

/** KMS keys have exactly one policy, named `default`. */
const POLICY_NAME = 'default';

/**
 * Validates a policy about to be attached to a key, including KMS's lockout safety check: unless
 * bypassed, the new policy must still let the caller change the policy later.
 */
export function acceptPolicy(core: KmsCore, principal: KmsPrincipal, keyArn: string, policy: string, bypassLockoutCheck = false): string {
  core.authorizer.policyOf(policy);
  if (!bypassLockoutCheck && core.authorizer.decide(principal, 'PutKeyPolicy', { arn: keyArn, policy }) !== 'allow') {
    throw new MalformedPolicyDocumentException('The new key policy will not allow you to update the key policy in the future.');
  }
  return policy;
}

function checkPolicyName(name: string | undefined): void {
  if (name !== undefined && name !== POLICY_NAME) throw new NotFoundException(`No such policy exists: ${name}. The only key policy name is ${POLICY_NAME}.`);
}

export async function getKeyPolicy(core: KmsCore, call: KmsCall, input: Parameters<KmsClient['getKeyPolicy']>[0]): ReturnType<KmsClient['getKeyPolicy']> {
  const key = await requireKey(core, call, input.KeyId, { aliases: false });
  core.authorizer.authorize(call.principal, 'GetKeyPolicy', { arn: arnOf(core, key.keyId), policy: key.policy });
  checkPolicyName(input.PolicyName);
  return { Policy: key.policy, PolicyName: POLICY_NAME };
}

export async function putKeyPolicy(core: KmsCore, call: KmsCall, input: Parameters<KmsClient['putKeyPolicy']>[0]): ReturnType<KmsClient['putKeyPolicy']> {
  const key = await requireKey(core, call, input.KeyId, { aliases: false });
  const arn = arnOf(core, key.keyId);
  core.authorizer.authorize(call.principal, 'PutKeyPolicy', { arn, policy: key.policy });
  checkPolicyName(input.PolicyName);
  const policy = acceptPolicy(core, call.principal, arn, input.Policy, input.BypassPolicyLockoutSafetyCheck);
  // Allowed in every key state, PendingDeletion included (KMS key state table).
  await updateKey(core, key.keyId, (current) => ({ attributes: current.attributes, policy }));
  return {};
}

export async function listKeyPolicies(core: KmsCore, call: KmsCall, input: Parameters<KmsClient['listKeyPolicies']>[0]): ReturnType<KmsClient['listKeyPolicies']> {
  const key = await requireKey(core, call, input.KeyId, { aliases: false });
  core.authorizer.authorize(call.principal, 'ListKeyPolicies', { arn: arnOf(core, key.keyId), policy: key.policy });
  pageLimit(input.Limit, 100, 1000);
  return { PolicyNames: [POLICY_NAME], Truncated: false };
}
