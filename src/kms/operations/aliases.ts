import { KmsAliasExists } from '../../store/kms/kms-store.ts';
import type { ServiceError } from '../../wire/service-error.ts';
import { AlreadyExistsException, InvalidAliasNameException, NotFoundException } from '../errors.ts';
import { aliasArnOf } from '../key-ids.ts';
import { arnOf, requireKey, requireNotPendingDeletion, type KmsCall, type KmsCore } from '../kms-core.ts';
import type { KmsClient } from '../kms-client.ts';
import { decodeMarker, pageLimit, pageOf } from '../paging.ts';

type Input<K extends keyof KmsClient> = Parameters<KmsClient[K]>[0];
type Output<K extends keyof KmsClient> = ReturnType<KmsClient[K]>;

/** CreateAlias rules: `alias/` then 1..250 of [A-Za-z0-9/_-]; `alias/aws/` is reserved for AWS managed keys. */
const ALIAS_NAME = /^alias\/[a-zA-Z0-9/_-]+$/;

function checkAliasName(name: string): void {
  if (!name.startsWith('alias/')) throw new InvalidAliasNameException('Alias must start with the prefix "alias/".');
  if (name.length > 256 || !ALIAS_NAME.test(name)) {
    throw new InvalidAliasNameException('Alias names may contain only alphanumeric characters, forward slashes (/), underscores (_) and dashes (-), up to 256 characters.');
  }
  if (name.startsWith('alias/aws/')) throw new InvalidAliasNameException('Alias names beginning with alias/aws/ are reserved for AWS managed keys.');
}

export async function createAlias(core: KmsCore, call: KmsCall, input: Input<'createAlias'>): Output<'createAlias'> {
  checkAliasName(input.AliasName);
  const key = await requireKey(core, call, input.TargetKeyId, { aliases: false });
  core.authorizer.authorize(call.principal, 'CreateAlias', { arn: arnOf(core, key.keyId), policy: key.policy });
  requireNotPendingDeletion(core, key);
  const now = core.now();
  try {
    await core.store.insertAlias({ aliasName: input.AliasName, keyId: key.keyId, createdAt: now, updatedAt: now });
  } catch (error) {
    if (error instanceof KmsAliasExists) throw new AlreadyExistsException(`An alias with the name ${aliasArnOf(core.region, core.accountId, input.AliasName)} already exists`);
    throw error;
  }
  return {};
}

/** UpdateAlias: needs kms:UpdateAlias on both the key the alias leaves and the key it goes to. */
export async function updateAlias(core: KmsCore, call: KmsCall, input: Input<'updateAlias'>): Output<'updateAlias'> {
  checkAliasName(input.AliasName);
  const alias = await requireAlias(core, input.AliasName);
  const current = await requireKey(core, call, alias.keyId, { aliases: false });
  core.authorizer.authorize(call.principal, 'UpdateAlias', { arn: arnOf(core, current.keyId), policy: current.policy });
  const target = await requireKey(core, call, input.TargetKeyId, { aliases: false });
  core.authorizer.authorize(call.principal, 'UpdateAlias', { arn: arnOf(core, target.keyId), policy: target.policy });
  requireNotPendingDeletion(core, target);
  if (!(await core.store.retargetAlias(input.AliasName, target.keyId, core.now()))) throw aliasNotFound(core, input.AliasName);
  return {};
}

export async function deleteAlias(core: KmsCore, call: KmsCall, input: Input<'deleteAlias'>): Output<'deleteAlias'> {
  checkAliasName(input.AliasName);
  const alias = await requireAlias(core, input.AliasName);
  const key = await requireKey(core, call, alias.keyId, { aliases: false });
  core.authorizer.authorize(call.principal, 'DeleteAlias', { arn: arnOf(core, key.keyId), policy: key.policy });
  if (!(await core.store.deleteAlias(input.AliasName))) throw aliasNotFound(core, input.AliasName);
  return {};
}

export async function listAliases(core: KmsCore, call: KmsCall, input: Input<'listAliases'>): Output<'listAliases'> {
  core.authorizer.authorizeAccountOperation(call.principal, 'ListAliases');
  const limit = pageLimit(input.Limit, 50, 100);
  const keyId = input.KeyId === undefined ? null : (await requireKey(core, call, input.KeyId, { aliases: false })).keyId;
  const rows = await core.store.listAliases(keyId, decodeMarker<string>(input.Marker, 'string'), limit + 1);
  const page = pageOf(rows, limit, (alias) => alias.aliasName);
  return {
    Aliases: page.items.map((alias) => ({
      AliasName: alias.aliasName,
      AliasArn: aliasArnOf(core.region, core.accountId, alias.aliasName),
      TargetKeyId: alias.keyId,
      CreationDate: new Date(alias.createdAt),
      LastUpdatedDate: new Date(alias.updatedAt),
    })),
    Truncated: page.Truncated,
    ...(page.NextMarker ? { NextMarker: page.NextMarker } : {}),
  };
}

async function requireAlias(core: KmsCore, aliasName: string) {
  const alias = await core.store.getAlias(aliasName);
  if (!alias) throw aliasNotFound(core, aliasName);
  return alias;
}

function aliasNotFound(core: KmsCore, aliasName: string): ServiceError {
  return new NotFoundException(`Alias ${aliasArnOf(core.region, core.accountId, aliasName)} is not found.`);
}
