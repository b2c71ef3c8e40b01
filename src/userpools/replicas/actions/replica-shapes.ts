import { z } from 'zod';
import type { ReplicaView } from '../../../replication/replica-control-routes.ts';

export const regionNameShape = z.string().min(1).max(32).regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, 'Member must be a region name such as us-east-1');

/**
 * UserPoolReplicaType, plus Meridian's progress fields (`Progress`: records copied of the total,
 * percent, applied sequence, lag in seconds) and `Reachable: false` for a region that could not be
 * asked; the AWS SDK ignores fields it does not know, raw clients and the CLI read them.
 */
export function replicaType(view: ReplicaView): Record<string, unknown> {
  return {
    RegionName: view.RegionName,
    UserPoolArn: view.UserPoolArn,
    Role: view.Role,
    Status: view.Status,
    ...(view.Progress ? { Progress: view.Progress } : {}),
    ...(view.Reachable === false ? { Reachable: false } : {}),
  };
}
