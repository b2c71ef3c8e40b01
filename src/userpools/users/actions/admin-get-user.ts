import { z } from 'zod';
import { defineAction } from '../../../wire/aws-json-action.ts';
import type { UserPoolServices } from '../../services.ts';
import { userPoolIdShape, usernameShape } from '../../shared/input-shapes.ts';
import { readUser } from '../user-changes.ts';
import { attributeList } from '../user-view.ts';
import { awsTimestamp } from '../../pools/user-pool.ts';

export const adminGetUser = defineAction({
  name: 'AdminGetUser',
  authorization: 'iam',
  input: z.object({ UserPoolId: userPoolIdShape, Username: usernameShape }),
  async handle(input, services: UserPoolServices) {
    const user = await readUser(services, input.UserPoolId, input.Username);
    return {
      Username: user.username,
      UserAttributes: attributeList(user),
      UserCreateDate: awsTimestamp(user.createdAt),
      UserLastModifiedDate: awsTimestamp(user.modifiedAt),
      Enabled: user.enabled,
      UserStatus: user.status,
      UserMFASettingList: [],
    };
  },
});
