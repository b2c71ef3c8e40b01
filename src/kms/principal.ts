/**
 * Who calls the KMS. SigV4-signed API calls act as an IAM principal (the admin credentials act as
 * the account root, `arn:aws:iam::<account>:root`); Meridian's own services call in-process as AWS
 * service principals, e.g. `cognito-idp.amazonaws.com` for user pools, which a key policy must
 * grant explicitly. `sourceArn` / `sourceAccount` are offered to policies as `aws:SourceArn` and
 * `aws:SourceAccount`, the confused-deputy guards AWS services supply.
 */
export type KmsPrincipal = { arn: string } | { service: string; sourceArn?: string; sourceAccount?: string };

/** The name a principal has in error messages and the audit log. */
export function principalName(principal: KmsPrincipal): string {
  return 'arn' in principal ? principal.arn : principal.service;
}

export function accountRootArn(accountId: string): string {
  return `arn:aws:iam::${accountId}:root`;
}

/** True for the account root: the stand-in for IAM identity policies on account-level actions. */
export function isAccountRoot(principal: KmsPrincipal, accountId: string): boolean {
  return 'arn' in principal && principal.arn === accountRootArn(accountId);
}

/** Performs the scheduled work (deletions, automatic rotation, replica sync) in the audit log. */
export const SCHEDULER_PRINCIPAL: KmsPrincipal = { service: 'kms.meridian.internal' };
