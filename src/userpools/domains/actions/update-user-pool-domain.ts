import { defineAction } from '../../../wire/aws-json-action.ts';
import type { UserPoolServices } from '../../services.ts';
import { updateDomain } from '../domain-directory.ts';
import { domainRequestShape } from '../user-pool-domain.ts';
import { newDomainOf } from './domain-request.ts';

/** UpdateUserPoolDomain (Cognito API reference). */
export const updateUserPoolDomain = defineAction({
  name: 'UpdateUserPoolDomain',
  authorization: 'iam',
  input: domainRequestShape,
  async handle(input, services: UserPoolServices) {
    return updateDomain(services, input.UserPoolId, newDomainOf(input));
  },
});
