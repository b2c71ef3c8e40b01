import { z } from 'zod';
import { defineAction } from '../../../wire/aws-json-action.ts';
import type { UserPoolServices } from '../../services.ts';
import { userPoolIdShape } from '../../shared/input-shapes.ts';
import { updateDomain } from '../domain-directory.ts';
import { customDomainConfigShape, domainShape, managedLoginVersionShape } from '../user-pool-domain.ts';

/** UpdateUserPoolDomain (Cognito API reference). */
export const updateUserPoolDomain = defineAction({
  name: 'UpdateUserPoolDomain',
  authorization: 'iam',
  input: z.object({
    Domain: domainShape,
    UserPoolId: userPoolIdShape,
    CustomDomainConfig: customDomainConfigShape.optional(),
    ManagedLoginVersion: managedLoginVersionShape.optional(),
    Routing: z.unknown().optional(),
  }),
  async handle(input, services: UserPoolServices) {
    return updateDomain(services, input.UserPoolId, {
      domain: input.Domain,
      customDomainConfig: input.CustomDomainConfig,
      managedLoginVersion: input.ManagedLoginVersion,
      routing: input.Routing,
    });
  },
});
