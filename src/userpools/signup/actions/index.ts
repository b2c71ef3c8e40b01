import type { AwsJsonAction } from '../../../wire/aws-json-action.ts';
import type { UserPoolServices } from '../../services.ts';
import { adminConfirmSignUp } from './admin-confirm-sign-up.ts';
import { confirmSignUp } from './confirm-sign-up.ts';
import { resendConfirmationCode } from './resend-confirmation-code.ts';
import { signUp } from './sign-up.ts';

export const signUpActions: Array<AwsJsonAction<UserPoolServices>> = [signUp, confirmSignUp, resendConfirmationCode, adminConfirmSignUp];
