import { z } from 'zod';
import { defineAction } from '../../../wire/aws-json-action.ts';
import type { UserPoolServices } from '../../services.ts';
import { paginationTokenShape, userPoolIdShape } from '../../shared/input-shapes.ts';
import { decodePageToken, encodePageToken } from '../../shared/page-token.ts';
import { toResourceServerType } from '../resource-server.ts';
import { listResourceServers as list } from '../resource-server-directory.ts';

/**
 * ListResourceServers (Cognito API reference): MaxResults 1..50, NextToken. A token names its
 * pool, so one pool's token cannot page through another pool's resource servers.
 */
export const listResourceServers = defineAction({
  name: 'ListResourceServers',
  authorization: 'iam',
  input: z.object({ UserPoolId: userPoolIdShape, MaxResults: z.number().int().min(1).max(50).optional(), NextToken: paginationTokenShape.optional() }),
  async handle(input, services: UserPoolServices) {
    const listing = `resource-servers/${input.UserPoolId}`;
    const after = input.NextToken ? decodePageToken(input.NextToken, listing) : null;
    const { servers, next } = await list(services, input.UserPoolId, after, input.MaxResults ?? 50);
    return {
      ResourceServers: servers.map((server) => toResourceServerType(input.UserPoolId, server)),
      ...(next ? { NextToken: encodePageToken(next, listing) } : {}),
    };
  },
});
