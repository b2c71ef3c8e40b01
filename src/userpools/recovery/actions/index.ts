import type { AwsJsonAction } from '../../../wire/aws-json-action.ts';
import type { UserPoolServices } from '../../services.ts';
import { adminResetUserPassword } from './admin-reset-user-password.ts';
import { confirmForgotPassword } from './confirm-forgot-password.ts';
import { forgotPassword } from './forgot-password.ts';

export const recoveryActions: Array<AwsJsonAction<UserPoolServices>> = [forgotPassword, confirmForgotPassword, adminResetUserPassword];
