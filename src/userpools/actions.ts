import type { AwsJsonAction } from '../wire/aws-json-action.ts';
import { authActions } from './auth/actions/index.ts';
import { clientActions } from './clients/actions/index.ts';
import { groupActions } from './groups/actions/index.ts';
import { poolActions } from './pools/actions/index.ts';
import type { UserPoolServices } from './services.ts';
import { userActions } from './users/actions/index.ts';

/** Every Cognito action this region serves. Each area (folder) lists its own actions. */
export const userPoolActions: ReadonlyArray<AwsJsonAction<UserPoolServices>> = [...poolActions, ...clientActions, ...userActions, ...groupActions, ...authActions];
