import { ReplicaReadOnly } from '../../crypto/encrypted-records.ts';
import { primaryRegionOf } from '../../replication/replica-pullers.ts';
import type { AwsJsonAction } from '../../wire/aws-json-action.ts';
import type { ServiceError } from '../../wire/service-error.ts';
import { poolIdOf } from '../auth/access-token.ts';
import { confirmedPoolOfClient, rememberedPoolOfClient } from '../auth/client-access.ts';
import { OperationNotEnabledException } from '../errors.ts';
import type { UserPoolServices } from '../services.ts';

/**
 * What an action does to a pool, for a secondary replica's decision:
 * - `sign-in`: end-user sign-in and session work a secondary serves, once ACTIVE;
 * - `read`: administrative reads, served in any status;
 * - `replica`: the replica API and per-region settings, decided by the action itself;
 * - `write`: everything else, refused (the primary region takes it).
 */
export type ReplicaUse = 'sign-in' | 'read' | 'replica' | 'write';

const SIGN_IN_ACTIONS = new Set([
  'InitiateAuth',
  'RespondToAuthChallenge',
  'AdminInitiateAuth',
  'AdminRespondToAuthChallenge',
  'GetUser',
  'GlobalSignOut',
  'AdminUserGlobalSignOut',
  'RevokeToken',
]);
const REPLICA_ACTIONS = new Set(['CreateUserPoolReplica', 'ListUserPoolReplicas', 'UpdateUserPoolReplica', 'DeleteUserPoolReplica', 'GetFailoverChecklist', 'GetUserPoolDigest', 'UpdateUserPool']);

export function replicaUseOf(actionName: string): ReplicaUse {
  if (SIGN_IN_ACTIONS.has(actionName)) return 'sign-in';
  if (REPLICA_ACTIONS.has(actionName)) return 'replica';
  if (/^(Describe|List|Get|AdminGet|AdminList)/.test(actionName)) return 'read';
  return 'write';
}

/**
 * Wraps a Cognito action with the secondary-replica rules (Cognito's multi-Region user pools): on
 * a pool that is a secondary replica in this region, directory and configuration writes are
 * refused with OperationNotEnabledException, and sign-in is served only while the replica is
 * ACTIVE. Pools that are primary here pass straight through. A write that slips past this (a
 * new action misclassified) still fails: the records of a replica are read-only (ReplicaReadOnly).
 */
export function gatedForReplicas(action: AwsJsonAction<UserPoolServices>): AwsJsonAction<UserPoolServices> {
  const use = replicaUseOf(action.name);
  if (use === 'replica' || use === 'read') return action;
  return {
    ...action,
    async handle(input, services, context) {
      if (!services.replicas) return action.handle(input, services, context);
      const checked = await checkReplicaUse(services, action.name, use, input as Record<string, unknown>);
      return action.handle(input, services, checked?.clientId !== undefined ? { ...context, clientPoolId: checked.poolId } : context);
    },
  };
}

/** The pool an action's input is about; `clientId` when it is the pool of the input's app client. */
interface InputPool {
  poolId: string;
  clientId?: string;
}

/** Throws when the pool is a secondary replica here that does not take this action; returns the pool it checked. */
async function checkReplicaUse(services: UserPoolServices, actionName: string, use: ReplicaUse, input: Record<string, unknown>): Promise<InputPool | null> {
  const lead = await poolOfInput(services, input);
  if (!lead) return null;
  const refusal = await refusalOf(services, lead.poolId, actionName, use);
  if (!refusal) return lead;
  if (lead.clientId === undefined) throw refusal;
  // A client's pool is a remembered lead, stale when the client was deleted: confirmed before it
  // refuses, so the action can answer that the client does not exist, as Cognito does.
  const routed = await confirmedPoolOfClient(services, lead.clientId, lead.poolId);
  if (routed === lead.poolId) throw refusal;
  const elsewhere = routed === null ? null : await refusalOf(services, routed, actionName, use);
  if (elsewhere) throw elsewhere;
  return null;
}

/** Why a secondary replica here does not take the action on `poolId`; null when it does (or the pool is primary here). */
async function refusalOf(services: UserPoolServices, poolId: string, actionName: string, use: ReplicaUse): Promise<ServiceError | null> {
  // A write needs only the pool's role (cached); sign-in also needs the replica's status.
  const role = await services.vault.roleOf(poolId).catch(() => null);
  if (role !== 'replica') return null;
  if (use === 'write') return refusedOnSecondary(services, poolId, actionName);
  const status = await services.replicas!.replicaStatus(poolId);
  if (status !== null && status !== 'ACTIVE') {
    return new OperationNotEnabledException(`The replica of user pool ${poolId} in ${services.region} is ${status}; it takes sign-in requests only when ACTIVE (UpdateUserPoolReplica).`);
  }
  return null;
}

export function refusedOnSecondary(services: UserPoolServices, poolId: string, what: string): ServiceError {
  return new OperationNotEnabledException(`${what} is not available in ${services.region}, which holds a secondary replica of user pool ${poolId}; make this change in its primary region ${primaryRegionOf(poolId)}.`);
}

/** The translation of ReplicaReadOnly raised below the gate. */
export function replicaReadOnlyError(error: ReplicaReadOnly): ServiceError {
  return new OperationNotEnabledException(`This change is not available here: ${error.message}.`);
}

/**
 * The pool an action's input is about: UserPoolId, else the app client's, else the access token's.
 * The client's pool is the remembered one (client-access.ts rememberedPoolOfClient): a client never
 * moves to another pool, so it is stale only for a deleted client; checkReplicaUse confirms it
 * before it refuses, and otherwise the action finds the client missing.
 */
async function poolOfInput(services: UserPoolServices, input: Record<string, unknown>): Promise<InputPool | null> {
  if (typeof input.UserPoolId === 'string') return { poolId: input.UserPoolId };
  if (typeof input.ClientId === 'string') {
    const poolId = await rememberedPoolOfClient(services, input.ClientId);
    return poolId === null ? null : { poolId, clientId: input.ClientId };
  }
  if (typeof input.AccessToken === 'string') {
    try {
      return { poolId: poolIdOf(input.AccessToken) };
    } catch {
      return null; // the action refuses the token itself
    }
  }
  return null;
}
