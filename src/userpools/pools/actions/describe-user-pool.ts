import { z } from 'zod';
import { defineAction } from '../../../wire/aws-json-action.ts';
import type { UserPoolServices } from '../../services.ts';
import { userPoolIdShape } from '../../shared/input-shapes.ts';
import { describePool, loadPool, withPool } from '../pool-directory.ts';
import { USER_RECORD_KIND } from '../../users/user-record.ts';
import { poolDomainFields } from '../../domains/domain-directory.ts';
import { poolAsSeenHere } from '../../replicas/secondary-settings.ts';

export const describeUserPool = defineAction({
  name: 'DescribeUserPool',
  authorization: 'iam',
  input: z.object({ UserPoolId: userPoolIdShape }),
  async handle(input, services: UserPoolServices) {
    return withPool(input.UserPoolId, () =>
      services.vault.read(input.UserPoolId, async (records) => {
        const pool = await poolAsSeenHere(services, await loadPool(records));
        return { UserPool: { ...describePool(services, pool, await records.count(USER_RECORD_KIND)), ...(await poolDomainFields(records)) } };
      }),
    );
  },
});
