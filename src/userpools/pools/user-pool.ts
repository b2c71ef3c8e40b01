import type { PoolSettings } from './pool-settings.ts';
import type { SchemaAttribute } from './schema-attributes.ts';

/** Record kind under which a pool's own configuration is stored (id = pool id). */
export const POOL_RECORD_KIND = 'pool';

/** A user pool as stored (encrypted) in its own record. */
export interface UserPoolRecord {
  id: string;
  name: string;
  createdAt: number;
  modifiedAt: number;
  /** Fixed at creation (Cognito does not allow changing them later). */
  schema: SchemaAttribute[];
  usernameAttributes: Array<'email' | 'phone_number'>;
  aliasAttributes: Array<'email' | 'phone_number' | 'preferred_username'>;
  usernameCaseSensitive: boolean;
  settings: PoolSettings;
}

export function userPoolArn(region: string, accountId: string, poolId: string): string {
  return `arn:aws:cognito-idp:${region}:${accountId}:userpool/${poolId}`;
}

/** Epoch seconds, the AWS JSON protocol's timestamp form. */
export function awsTimestamp(milliseconds: number): number {
  return milliseconds / 1000;
}
