import { z } from 'zod';
import { defineAction } from '../../../wire/aws-json-action.ts';
import type { UserPoolServices } from '../../services.ts';
import { userPoolIdShape } from '../../shared/input-shapes.ts';
import { deleteDomain } from '../domain-directory.ts';
import { domainShape } from '../user-pool-domain.ts';

/** DeleteUserPoolDomain (Cognito API reference). */
export const deleteUserPoolDomain = defineAction({
  name: 'DeleteUserPoolDomain',
  authorization: 'iam',
  input: z.object({ Domain: domainShape, UserPoolId: userPoolIdShape }),
  async handle(input, services: UserPoolServices) {
    await deleteDomain(services, input.UserPoolId, input.Domain);
    return {};
  },
});
