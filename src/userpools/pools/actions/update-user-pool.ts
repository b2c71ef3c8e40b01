import { z } from 'zod';
import { defineAction } from '../../../wire/aws-json-action.ts';
import type { UserPoolServices } from '../../services.ts';
import { userPoolIdShape } from '../../shared/input-shapes.ts';
import { updatePool, withPool } from '../pool-directory.ts';
import { isSecondaryHere, updateSecondarySettings } from '../../replicas/secondary-settings.ts';
import { poolSettingsShape } from '../pool-settings.ts';

export const updateUserPool = defineAction({
  name: 'UpdateUserPool',
  authorization: 'iam',
  input: poolSettingsShape.extend({
    UserPoolId: userPoolIdShape,
    PoolName: z.string().min(1).max(128).regex(/^[\w\s+=,.@-]+$/).optional(),
  }),
  async handle(input, services: UserPoolServices) {
    const { UserPoolId, PoolName, ...settings } = input;
    if (await withPool(UserPoolId, () => isSecondaryHere(services, UserPoolId))) await updateSecondarySettings(services, UserPoolId, settings, PoolName);
    else await updatePool(services, UserPoolId, settings, PoolName);
    return {};
  },
});
