import { defineAction } from '../../../wire/aws-json-action.ts';
import type { UserPoolServices } from '../../services.ts';
import { createDomain } from '../domain-directory.ts';
import { domainRequestShape } from '../user-pool-domain.ts';
import { newDomainOf } from './domain-request.ts';

/** CreateUserPoolDomain (Cognito API reference). */
export const createUserPoolDomain = defineAction({
  name: 'CreateUserPoolDomain',
  authorization: 'iam',
  input: domainRequestShape,
  async handle(input, services: UserPoolServices) {
    return createDomain(services, input.UserPoolId, newDomainOf(input));
  },
});
