import type { AwsJsonAction } from '../../../wire/aws-json-action.ts';
import type { UserPoolServices } from '../../services.ts';
import { adminCreateUser } from './admin-create-user.ts';
import { adminDeleteUser } from './admin-delete-user.ts';
import { adminDeleteUserAttributes } from './admin-delete-user-attributes.ts';
import { adminDisableUser } from './admin-disable-user.ts';
import { adminEnableUser } from './admin-enable-user.ts';
import { adminGetUser } from './admin-get-user.ts';
import { adminSetUserPassword } from './admin-set-user-password.ts';
import { adminUpdateUserAttributes } from './admin-update-user-attributes.ts';
import { listUsers } from './list-users.ts';

export const userActions: Array<AwsJsonAction<UserPoolServices>> = [
  adminCreateUser,
  adminGetUser,
  adminDeleteUser,
  adminUpdateUserAttributes,
  adminDeleteUserAttributes,
  adminSetUserPassword,
  adminEnableUser,
  adminDisableUser,
  listUsers,
];
