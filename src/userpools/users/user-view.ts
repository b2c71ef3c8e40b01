import { awsTimestamp } from '../pools/user-pool.ts';
import type { UserRecord } from './user-record.ts';

/** Attributes in Cognito's wire form, sub first; `only` limits them (AttributesToGet). */
export function attributeList(user: UserRecord, only?: string[]): Array<{ Name: string; Value: string }> {
  const all = [{ Name: 'sub', Value: user.sub }, ...Object.entries(user.attributes).map(([Name, Value]) => ({ Name, Value }))];
  return only ? all.filter((attribute) => only.includes(attribute.Name)) : all;
}

/** UserType, as in AdminCreateUser, ListUsers and ListUsersInGroup responses. */
export function toUserType(user: UserRecord, only?: string[]): Record<string, unknown> {
  return {
    Username: user.username,
    Attributes: attributeList(user, only),
    UserCreateDate: awsTimestamp(user.createdAt),
    UserLastModifiedDate: awsTimestamp(user.modifiedAt),
    Enabled: user.enabled,
    UserStatus: user.status,
  };
}
