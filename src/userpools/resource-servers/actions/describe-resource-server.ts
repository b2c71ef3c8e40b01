import { z } from 'zod';
import { defineAction } from '../../../wire/aws-json-action.ts';
import type { UserPoolServices } from '../../services.ts';
import { userPoolIdShape } from '../../shared/input-shapes.ts';
import { identifierShape, toResourceServerType } from '../resource-server.ts';
import { getResourceServer } from '../resource-server-directory.ts';

/** DescribeResourceServer (Cognito API reference). */
export const describeResourceServer = defineAction({
  name: 'DescribeResourceServer',
  authorization: 'iam',
  input: z.object({ UserPoolId: userPoolIdShape, Identifier: identifierShape }),
  async handle(input, services: UserPoolServices) {
    return { ResourceServer: toResourceServerType(input.UserPoolId, await getResourceServer(services, input.UserPoolId, input.Identifier)) };
  },
});
