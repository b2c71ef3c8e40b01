import { z } from 'zod';
import { keyId, kmsAction, limit, marker, tags } from './wire.ts';

/** Key lifecycle: CreateKey, DescribeKey, ListKeys, enable/disable, deletion, description, tags. */
export const keyActions = [
  kmsAction(
    'CreateKey',
    z.object({
      Policy: z.string().optional(),
      Description: z.string().optional(),
      KeyUsage: z.string().optional(),
      KeySpec: z.string().optional(),
      CustomerMasterKeySpec: z.string().optional(),
      Origin: z.string().optional(),
      CustomKeyStoreId: z.string().optional(),
      XksKeyId: z.string().optional(),
      BypassPolicyLockoutSafetyCheck: z.boolean().optional(),
      Tags: tags.optional(),
      MultiRegion: z.boolean().optional(),
    }),
    (client, input) => client.createKey(input),
  ),
  kmsAction('DescribeKey', z.object({ KeyId: keyId, GrantTokens: z.array(z.string()).optional() }), (client, input) => client.describeKey(input)),
  kmsAction('ListKeys', z.object({ Limit: limit.optional(), Marker: marker.optional() }), (client, input) => client.listKeys(input)),
  kmsAction('UpdateKeyDescription', z.object({ KeyId: keyId, Description: z.string() }), (client, input) => client.updateKeyDescription(input)),
  kmsAction('EnableKey', z.object({ KeyId: keyId }), (client, input) => client.enableKey(input)),
  kmsAction('DisableKey', z.object({ KeyId: keyId }), (client, input) => client.disableKey(input)),
  kmsAction('ScheduleKeyDeletion', z.object({ KeyId: keyId, PendingWindowInDays: z.number().int().optional() }), (client, input) => client.scheduleKeyDeletion(input)),
  kmsAction('CancelKeyDeletion', z.object({ KeyId: keyId }), (client, input) => client.cancelKeyDeletion(input)),
  kmsAction('TagResource', z.object({ KeyId: keyId, Tags: tags }), (client, input) => client.tagResource(input)),
  kmsAction('UntagResource', z.object({ KeyId: keyId, TagKeys: z.array(z.string()) }), (client, input) => client.untagResource(input)),
  kmsAction('ListResourceTags', z.object({ KeyId: keyId, Limit: limit.optional(), Marker: marker.optional() }), (client, input) => client.listResourceTags(input)),
];
