import type { EncryptedRecords } from '../../crypto/encrypted-records.ts';
import { InvalidParameterException } from '../errors.ts';
import type { UserPoolServices } from '../services.ts';
import { findUser } from '../users/user-directory.ts';
import { requireAuthFlow, type AuthFlow } from './auth-flow-policy.ts';
import { checkSecretHash, type ClientContext } from './client-access.ts';
import { refreshTokens } from './refresh.ts';
import { checkUserPassword, completeSignIn, type AuthResponse } from './sign-in.ts';
import { startSrpSignIn } from './srp-sign-in.ts';

/** Flows each entry point accepts: the public API never takes admin flows and vice versa. */
const PUBLIC_FLOWS: readonly AuthFlow[] = ['USER_PASSWORD_AUTH', 'USER_SRP_AUTH', 'REFRESH_TOKEN_AUTH', 'REFRESH_TOKEN'];
const ADMIN_FLOWS: readonly AuthFlow[] = ['ADMIN_USER_PASSWORD_AUTH', 'ADMIN_NO_SRP_AUTH', 'USER_SRP_AUTH', 'REFRESH_TOKEN_AUTH', 'REFRESH_TOKEN'];

/**
 * InitiateAuth and AdminInitiateAuth: one implementation, the entry point decides which flows.
 * `records`: the read view the client was read in (client-access.ts readWithClient).
 */
export async function initiateAuth(
  services: UserPoolServices,
  records: EncryptedRecords,
  context: ClientContext,
  request: { flow: string; parameters: Record<string, string>; admin: boolean },
): Promise<AuthResponse> {
  const flows = request.admin ? ADMIN_FLOWS : PUBLIC_FLOWS;
  if (!(flows as string[]).includes(request.flow)) {
    throw new InvalidParameterException(`Initiate Auth method not supported: ${request.flow}.`);
  }
  const flow = request.flow as AuthFlow;
  const { pool, client } = context;
  requireAuthFlow(client, flow);
  const parameters = request.parameters;

  if (flow === 'REFRESH_TOKEN_AUTH' || flow === 'REFRESH_TOKEN') {
    const refreshToken = required(parameters, 'REFRESH_TOKEN');
    const refreshed = await refreshTokens(services, records, client, { refreshToken, secretHash: parameters.SECRET_HASH, username: parameters.USERNAME, pool });
    return { AuthenticationResult: refreshed.tokens, ChallengeParameters: {} };
  }

  const username = required(parameters, 'USERNAME');
  checkSecretHash(client, username, parameters.SECRET_HASH);
  if (flow === 'USER_SRP_AUTH') {
    const clientPublic = required(parameters, 'SRP_A');
    return startSrpSignIn(services, records, pool, client, { username, clientPublic });
  }
  const password = required(parameters, 'PASSWORD');
  const user = await checkUserPassword(services, pool, client, await findUser(records, pool, username), password);
  return completeSignIn(services, records, client, user, pool);
}

export function required(parameters: Record<string, string>, name: string): string {
  const value = parameters[name];
  if (!value) throw new InvalidParameterException(`Missing required parameter ${name}`);
  return value;
}
