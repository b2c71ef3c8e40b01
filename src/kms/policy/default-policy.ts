import { accountRootArn } from '../principal.ts';

/**
 * The default key policy KMS attaches when CreateKey (or ReplicateKey) has no Policy: the account
 * root may do everything with the key ("Enable IAM User Permissions"). Nobody else, Meridian's
 * own services included, gets anything until the policy says so.
 */
export function defaultKeyPolicy(accountId: string): string {
  return JSON.stringify(
    {
      Version: '2012-10-17',
      Id: 'key-default-1',
      Statement: [{ Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: accountRootArn(accountId) }, Action: 'kms:*', Resource: '*' }],
    },
    null,
    2,
  );
}
