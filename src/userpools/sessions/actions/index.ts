import type { AwsJsonAction } from '../../../wire/aws-json-action.ts';
import type { UserPoolServices } from '../../services.ts';
import { adminUserGlobalSignOut } from './admin-user-global-sign-out.ts';
import { globalSignOut } from './global-sign-out.ts';
import { revokeToken } from './revoke-token.ts';

/** Sign-out and revocation: GlobalSignOut, AdminUserGlobalSignOut, RevokeToken. */
export const sessionActions: Array<AwsJsonAction<UserPoolServices>> = [globalSignOut, adminUserGlobalSignOut, revokeToken];
