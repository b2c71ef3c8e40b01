import type { AwsJsonAction } from '../../../wire/aws-json-action.ts';
import type { UserPoolServices } from '../../services.ts';
import { createUserPoolDomain } from './create-user-pool-domain.ts';
import { deleteUserPoolDomain } from './delete-user-pool-domain.ts';
import { describeUserPoolDomain } from './describe-user-pool-domain.ts';
import { updateUserPoolDomain } from './update-user-pool-domain.ts';

export const domainActions: Array<AwsJsonAction<UserPoolServices>> = [createUserPoolDomain, describeUserPoolDomain, updateUserPoolDomain, deleteUserPoolDomain];
