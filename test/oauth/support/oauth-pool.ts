import {
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  CreateUserPoolDomainCommand,
  type CreateUserPoolClientCommandInput,
  type CreateUserPoolCommandInput,
} from '@aws-sdk/client-cognito-identity-provider';
import type { TestRegion } from '../../support/region.ts';

export const PASSWORD = 'Correct-Horse-7-Battery';

let serial = 0;

export interface OAuthPool {
  poolId: string;
  prefix: string;
  /** `<region url>/<prefix>`: where the pool's OAuth endpoints and hosted pages are. */
  base: string;
  /** `<region url>/<poolId>`: the issuer, whose discovery document advertises the endpoints. */
  issuer: string;
}

/** A pool with a prefix domain (email auto-verified, so sign-up sends codes). */
export async function createOAuthPool(region: TestRegion, options: Partial<CreateUserPoolCommandInput> = {}): Promise<OAuthPool> {
  const poolId = (await region.cognito.send(new CreateUserPoolCommand({ PoolName: 'web', AutoVerifiedAttributes: ['email'], ...options }))).UserPool!.Id!;
  serial += 1;
  const prefix = `web-${process.pid}-${serial}`;
  await region.cognito.send(new CreateUserPoolDomainCommand({ UserPoolId: poolId, Domain: prefix }));
  return { poolId, prefix, base: `${region.url}/${prefix}`, issuer: `${region.url}/${poolId}` };
}

/** The relying party's URLs (a callback server's). */
export interface AppUrls {
  callbackUrl: string;
  logoutUrl: string;
}

/** An app client for the hosted pages: public (no secret) unless `GenerateSecret` is given. */
export async function createWebClient(
  region: TestRegion,
  poolId: string,
  urls: AppUrls,
  options: Partial<CreateUserPoolClientCommandInput> = {},
): Promise<{ clientId: string; secret?: string }> {
  const { UserPoolClient } = await region.cognito.send(
    new CreateUserPoolClientCommand({
      UserPoolId: poolId,
      ClientName: 'web',
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthFlows: ['code'],
      AllowedOAuthScopes: ['openid', 'email', 'profile'],
      CallbackURLs: [urls.callbackUrl],
      LogoutURLs: [urls.logoutUrl],
      SupportedIdentityProviders: ['COGNITO'],
      ...options,
    }),
  );
  return { clientId: UserPoolClient!.ClientId!, secret: UserPoolClient!.ClientSecret };
}

/**
 * A machine client (client_credentials, with a secret) allowed `orders/read`, its access tokens
 * valid 10 minutes, unless `options` say otherwise. The pool must declare the scopes it grants.
 */
export async function createMachineClient(region: TestRegion, poolId: string, options: Partial<CreateUserPoolClientCommandInput> = {}) {
  const { UserPoolClient } = await region.cognito.send(
    new CreateUserPoolClientCommand({
      UserPoolId: poolId,
      ClientName: 'service',
      GenerateSecret: true,
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthFlows: ['client_credentials'],
      AllowedOAuthScopes: ['orders/read'],
      AccessTokenValidity: 10,
      TokenValidityUnits: { AccessToken: 'minutes' },
      ...options,
    }),
  );
  return UserPoolClient!;
}

/** A CONFIRMED user with a permanent password and a verified email. */
export async function createUser(region: TestRegion, poolId: string, username: string, options: { permanent?: boolean; password?: string } = {}): Promise<string> {
  const email = `${username}@example.com`;
  await region.cognito.send(
    new AdminCreateUserCommand({
      UserPoolId: poolId,
      Username: username,
      MessageAction: 'SUPPRESS',
      TemporaryPassword: options.permanent === false ? (options.password ?? 'Temporary-Pass-1') : undefined,
      UserAttributes: [
        { Name: 'email', Value: email },
        { Name: 'email_verified', Value: 'true' },
        { Name: 'name', Value: `User ${username}` },
      ],
    }),
  );
  if (options.permanent !== false) {
    await region.cognito.send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: username, Password: options.password ?? PASSWORD, Permanent: true }));
  }
  return email;
}
