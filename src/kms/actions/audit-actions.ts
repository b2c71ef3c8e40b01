import { z } from 'zod';
import { keyId, kmsAction, limit, marker, timestamp } from './wire.ts';

/**
 * TrentService.ListAuditEvents: Meridian's extension, not in the AWS service model. Input
 * {KeyId?, Action?, Since? (epoch seconds), Limit?, Marker?}; output {Events, NextMarker?, Truncated}.
 */
export const auditActions = [
  kmsAction(
    'ListAuditEvents',
    z.object({ KeyId: keyId.optional(), Action: z.string().optional(), Since: timestamp.optional(), Limit: limit.optional(), Marker: marker.optional() }),
    (client, input) => client.listAuditEvents(input),
  ),
];
