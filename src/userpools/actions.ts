import type { AwsJsonAction } from '../wire/aws-json-action.ts';
import { accountActions } from './account/actions/index.ts';
import { authActions } from './auth/actions/index.ts';
import { clientActions } from './clients/actions/index.ts';
import { domainActions } from './domains/actions/index.ts';
import { groupActions } from './groups/actions/index.ts';
import { poolActions } from './pools/actions/index.ts';
import { recoveryActions } from './recovery/actions/index.ts';
import { replicaActions } from './replicas/actions/index.ts';
import { resourceServerActions } from './resource-servers/actions/index.ts';
import type { UserPoolServices } from './services.ts';
import { signUpActions } from './signup/actions/index.ts';
import { sessionActions } from './sessions/actions/index.ts';
import { userActions } from './users/actions/index.ts';

/** Every Cognito action this region serves. Each area (folder) lists its own actions. */
export const userPoolActions: ReadonlyArray<AwsJsonAction<UserPoolServices>> = [...poolActions, ...clientActions, ...userActions, ...groupActions, ...authActions, ...accountActions, ...sessionActions, ...resourceServerActions, ...domainActions, ...signUpActions, ...recoveryActions, ...replicaActions];
