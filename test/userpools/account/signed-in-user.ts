import { createHmac } from 'node:crypto';
import {
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  InitiateAuthCommand,
  type AuthenticationResultType,
  type CognitoIdentityProviderClient,
  type CreateUserPoolClientCommandInput,
} from '@aws-sdk/client-cognito-identity-provider';
import type { TestClock } from '../../support/region.ts';

export const PASSWORD = 'Right-Passw0rd!';

export interface PoolWithUser {
  poolId: string;
  clientId: string;
  secret?: string;
  username: string;
}

/**
 * A pool (custom attributes: mutable `tier`, immutable `badge`, developer-only `internal`), an app
 * client allowing password sign-in and refresh, and a confirmed user `alice` with PASSWORD.
 */
export async function poolWithUser(
  cognito: CognitoIdentityProviderClient,
  options: { client?: Partial<CreateUserPoolClientCommandInput>; clock?: TestClock; username?: string } = {},
): Promise<PoolWithUser> {
  const username = options.username ?? 'alice';
  const poolId = (
    await cognito.send(
      new CreateUserPoolCommand({
        PoolName: 'signed-in',
        UsernameConfiguration: { CaseSensitive: false },
        Schema: [
          { Name: 'tier', AttributeDataType: 'String' },
          { Name: 'badge', AttributeDataType: 'String', Mutable: false },
          { Name: 'internal', AttributeDataType: 'String', DeveloperOnlyAttribute: true },
        ],
      }),
    )
  ).UserPool!.Id!;
  const client = (
    await cognito.send(
      new CreateUserPoolClientCommand({
        UserPoolId: poolId,
        ClientName: 'app',
        ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
        ...options.client,
      }),
    )
  ).UserPoolClient!;
  await cognito.send(
    new AdminCreateUserCommand({
      UserPoolId: poolId,
      Username: username,
      MessageAction: 'SUPPRESS',
      UserAttributes: [
        { Name: 'email', Value: `${username}@example.com` },
        { Name: 'email_verified', Value: 'true' },
        { Name: 'custom:tier', Value: 'gold' },
        { Name: 'custom:badge', Value: 'founder' },
        { Name: 'custom:internal', Value: 'staff-note' },
      ],
    }),
  );
  await cognito.send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: username, Password: PASSWORD, Permanent: true }));
  // Setting a password ends the user's sessions begun up to that millisecond; a frozen test clock
  // would otherwise start the first session in that same millisecond.
  options.clock?.advance(1);
  return { poolId, clientId: client.ClientId!, secret: client.ClientSecret, username };
}

export function secretHash(setup: PoolWithUser, username = setup.username): Record<string, string> {
  return setup.secret ? { SECRET_HASH: createHmac('sha256', setup.secret).update(username + setup.clientId).digest('base64') } : {};
}

export async function signIn(cognito: CognitoIdentityProviderClient, setup: PoolWithUser, password = PASSWORD): Promise<Required<Pick<AuthenticationResultType, 'AccessToken' | 'IdToken' | 'RefreshToken'>>> {
  const result = await cognito.send(
    new InitiateAuthCommand({
      AuthFlow: 'USER_PASSWORD_AUTH',
      ClientId: setup.clientId,
      AuthParameters: { USERNAME: setup.username, PASSWORD: password, ...secretHash(setup) },
    }),
  );
  const tokens = result.AuthenticationResult!;
  return { AccessToken: tokens.AccessToken!, IdToken: tokens.IdToken!, RefreshToken: tokens.RefreshToken! };
}

/** REFRESH_TOKEN_AUTH; resolves to the new access token. */
export async function refresh(cognito: CognitoIdentityProviderClient, setup: PoolWithUser, refreshToken: string): Promise<string> {
  const result = await cognito.send(
    new InitiateAuthCommand({ AuthFlow: 'REFRESH_TOKEN_AUTH', ClientId: setup.clientId, AuthParameters: { REFRESH_TOKEN: refreshToken, ...secretHash(setup) } }),
  );
  return result.AuthenticationResult!.AccessToken!;
}

export function attributesOf(list: Array<{ Name?: string; Value?: string }> | undefined): Record<string, string | undefined> {
  return Object.fromEntries((list ?? []).map((attribute) => [attribute.Name, attribute.Value]));
}
