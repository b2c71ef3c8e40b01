import type { AwsJsonAction } from '../../../wire/aws-json-action.ts';
import type { UserPoolServices } from '../../services.ts';
import { adminInitiateAuth } from './admin-initiate-auth.ts';
import { adminRespondToAuthChallenge } from './admin-respond-to-auth-challenge.ts';
import { initiateAuth } from './initiate-auth.ts';
import { respondToAuthChallenge } from './respond-to-auth-challenge.ts';

export const authActions: Array<AwsJsonAction<UserPoolServices>> = [initiateAuth, adminInitiateAuth, respondToAuthChallenge, adminRespondToAuthChallenge];
