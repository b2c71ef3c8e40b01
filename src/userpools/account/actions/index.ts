import type { AwsJsonAction } from '../../../wire/aws-json-action.ts';
import type { UserPoolServices } from '../../services.ts';
import { changePassword } from './change-password.ts';
import { deleteUser } from './delete-user.ts';
import { getUser } from './get-user.ts';
import { getUserAttributeVerificationCode } from './get-user-attribute-verification-code.ts';
import { updateUserAttributes } from './update-user-attributes.ts';
import { verifyUserAttribute } from './verify-user-attribute.ts';

/** Token-authorized actions: what signed-in users do with their own access token. */
export const accountActions: Array<AwsJsonAction<UserPoolServices>> = [
  getUser,
  updateUserAttributes,
  getUserAttributeVerificationCode,
  verifyUserAttribute,
  deleteUser,
  changePassword,
];
