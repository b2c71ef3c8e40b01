import { issueClientAccessToken } from '../../../auth/tokens/token-issuer.ts';
import { tokenLifetimes } from '../../../userpools/clients/app-client.ts';
import { issuerOfRecords } from '../../../userpools/auth/issuers.ts';
import { definedCustomScopes } from '../../../userpools/resource-servers/resource-server-directory.ts';
import { InvalidScope, UnauthorizedClient } from '../../oauth-errors.ts';
import type { GrantHandler } from '../grant-type.ts';
import { parseScopeParameter } from '../scope-parameter.ts';

/**
 * The client credentials grant (RFC 6749 §4.4), Cognito's machine-to-machine flow: a confidential
 * client that allows the `client_credentials` OAuth flow gets an access token for itself, with
 * custom scopes of the pool's resource servers.
 *
 * Scopes (RFC 6749 §3.3): each requested scope must be one of the client's AllowedOAuthScopes and
 * still be declared by its resource server, else invalid_scope (where Cognito's guide says it
 * ignores a scope the client is not allowed, RFC 6749 §5.2 names the error, and a client learns
 * of its mistake). Without a scope parameter the client gets every allowed custom scope, as
 * Cognito does (developer guide, "The token endpoint"). A scope whose resource server or scope
 * was deleted stays in the client's settings but is never granted.
 */
export const clientCredentialsGrant: GrantHandler = async ({ services, pool, records, client, parameters }) => {
  const settings = client.client.settings;
  // RFC 6749 §4.4: confidential clients only. Cognito allows the flow only with a secret, so a
  // public client can get here only by a client that never allowed the flow.
  if (client.method === 'none' || !settings.AllowedOAuthFlowsUserPoolClient || !settings.AllowedOAuthFlows?.includes('client_credentials')) {
    throw new UnauthorizedClient('The client is not allowed the client_credentials grant.');
  }
  const allowed = settings.AllowedOAuthScopes ?? [];
  const requested = parseScopeParameter(parameters.get('scope'));
  const notAllowed = requested?.find((scope) => !allowed.includes(scope));
  if (notAllowed !== undefined) throw new InvalidScope(`The client is not allowed the scope ${notAllowed}.`);

  const candidates = requested ?? allowed;
  const existing = await definedCustomScopes(records, candidates);
  const granted = candidates.filter((scope) => existing.has(scope));
  if (requested && granted.length < requested.length) {
    throw new InvalidScope(`The scope ${requested.find((scope) => !existing.has(scope))} does not exist in this user pool.`);
  }
  if (granted.length === 0) throw new InvalidScope('The client has no custom scopes that exist in this user pool.');

  const seconds = tokenLifetimes(client.client).access;
  const accessToken = await issueClientAccessToken(await services.signingKeys.keysFor(pool.poolId), {
    issuer: await issuerOfRecords(services, records),
    clientId: client.client.id,
    scope: granted.join(' '),
    seconds,
    now: services.now(),
  });
  services.usage.recordM2MToken(pool.poolId, client.client.id);
  return { access_token: accessToken, expires_in: seconds, token_type: 'Bearer' };
};
