import { z } from 'zod';
import { keyId, kmsAction, limit, marker } from './wire.ts';

export const aliasActions = [
  kmsAction('CreateAlias', z.object({ AliasName: z.string(), TargetKeyId: keyId }), (client, input) => client.createAlias(input)),
  kmsAction('UpdateAlias', z.object({ AliasName: z.string(), TargetKeyId: keyId }), (client, input) => client.updateAlias(input)),
  kmsAction('DeleteAlias', z.object({ AliasName: z.string() }), (client, input) => client.deleteAlias(input)),
  kmsAction('ListAliases', z.object({ KeyId: keyId.optional(), Limit: limit.optional(), Marker: marker.optional() }), (client, input) => client.listAliases(input)),
];
