import { z } from 'zod';
import { defineAction } from '../../../wire/aws-json-action.ts';
import type { UserPoolServices } from '../../services.ts';
import { paginationTokenShape, userPoolIdShape } from '../../shared/input-shapes.ts';
import { decodePageToken, encodePageToken } from '../../shared/page-token.ts';
import { toUserPoolClientDescription } from '../app-client.ts';
import { listClients } from '../client-directory.ts';

/**
 * ListUserPoolClients (Cognito API reference): MaxResults 1..60, NextToken. A token names its pool,
 * so one pool's token cannot page through another pool's clients.
 */
export const listUserPoolClients = defineAction({
  name: 'ListUserPoolClients',
  authorization: 'iam',
  input: z.object({
    UserPoolId: userPoolIdShape,
    MaxResults: z.number().int().min(1).max(60).optional(),
    NextToken: paginationTokenShape.optional(),
    ClientType: z.enum(['REGULAR', 'DCR']).optional(),
  }),
  async handle(input, services: UserPoolServices) {
    const listing = `clients/${input.UserPoolId}`;
    const after = input.NextToken ? decodePageToken(input.NextToken, listing) : null;
    const { clients, next } = await listClients(services, input.UserPoolId, after, input.MaxResults ?? 60);
    // Every client here is REGULAR (no dynamic client registration yet), so a DCR filter matches none.
    const shown = input.ClientType === 'DCR' ? [] : clients;
    return {
      UserPoolClients: shown.map(toUserPoolClientDescription),
      ...(next && input.ClientType !== 'DCR' ? { NextToken: encodePageToken(next, listing) } : {}),
    };
  },
});
