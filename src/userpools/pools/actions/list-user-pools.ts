import { z } from 'zod';
import { defineAction } from '../../../wire/aws-json-action.ts';
import type { UserPoolServices } from '../../services.ts';
import { paginationTokenShape } from '../../shared/input-shapes.ts';
import { listPools } from '../pool-directory.ts';
import { settingsWithDefaults } from '../pool-settings.ts';
import { awsTimestamp } from '../user-pool.ts';
import { decodePageToken, encodePageToken } from '../../shared/page-token.ts';

export const listUserPools = defineAction({
  name: 'ListUserPools',
  authorization: 'iam',
  input: z.object({ MaxResults: z.number().int().min(1).max(60), NextToken: paginationTokenShape.optional() }),
  async handle(input, services: UserPoolServices) {
    const after = input.NextToken ? decodePageToken(input.NextToken, 'pools') : null;
    const { pools, next } = await listPools(services, after, input.MaxResults);
    return {
      UserPools: pools.map((pool) => ({
        Id: pool.id,
        Name: pool.name,
        LambdaConfig: settingsWithDefaults(pool.settings).LambdaConfig,
        CreationDate: awsTimestamp(pool.createdAt),
        LastModifiedDate: awsTimestamp(pool.modifiedAt),
      })),
      ...(next ? { NextToken: encodePageToken(next, 'pools') } : {}),
    };
  },
});
