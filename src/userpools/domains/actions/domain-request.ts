import type { z } from 'zod';
import type { NewDomain } from '../domain-directory.ts';
import type { domainRequestShape } from '../user-pool-domain.ts';

/** The domain a Create/UpdateUserPoolDomain request describes. */
export function newDomainOf(input: z.infer<typeof domainRequestShape>): NewDomain {
  return { domain: input.Domain, customDomainConfig: input.CustomDomainConfig, managedLoginVersion: input.ManagedLoginVersion, routing: input.Routing };
}
