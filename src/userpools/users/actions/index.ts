import type { AwsJsonAction } from '../../../wire/aws-json-action.ts';
import type { UserPoolServices } from '../../services.ts';

export const userActions: Array<AwsJsonAction<UserPoolServices>> = [];
