import { OperationNotEnabledException } from '../errors.ts';
import type { UserPoolServices } from '../services.ts';
import type { ReplicaLifecycle } from './replica-lifecycle.ts';

/** The region's replica lifecycle; a region without peers has no replicas to manage. */
export function replicasOf(services: UserPoolServices): ReplicaLifecycle {
  if (!services.replicas) {
    throw new OperationNotEnabledException(`Region ${services.region} has no other regions configured (start it with a region catalog, \`meridian up\`), so user pools cannot be replicated from or to it.`);
  }
  return services.replicas;
}
