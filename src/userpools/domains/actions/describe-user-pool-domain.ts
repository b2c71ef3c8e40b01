import { z } from 'zod';
import { defineAction } from '../../../wire/aws-json-action.ts';
import type { UserPoolServices } from '../../services.ts';
import { describeDomain } from '../domain-directory.ts';
import { domainShape } from '../user-pool-domain.ts';

/** DescribeUserPoolDomain (Cognito API reference): an unknown domain gives an empty DomainDescription. */
export const describeUserPoolDomain = defineAction({
  name: 'DescribeUserPoolDomain',
  authorization: 'iam',
  input: z.object({ Domain: domainShape }),
  async handle(input, services: UserPoolServices) {
    return { DomainDescription: await describeDomain(services, input.Domain) };
  },
});
