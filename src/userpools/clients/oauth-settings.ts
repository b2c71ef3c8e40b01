import type { EncryptedRecords } from '../../crypto/encrypted-records.ts';
import { InvalidOAuthFlowException, InvalidParameterException, ScopeDoesNotExistException } from '../errors.ts';
import { scopeExists, STANDARD_SCOPES } from './pool-references.ts';

/**
 * The OAuth 2.0 part of an app client: AllowedOAuthFlowsUserPoolClient, AllowedOAuthFlows,
 * AllowedOAuthScopes and the callback URLs they need, with the rules and error messages Cognito
 * applies (Cognito API reference, CreateUserPoolClient; "App client types" in the developer guide).
 */
export const OAUTH_FLOWS = ['code', 'implicit', 'client_credentials'] as const;
export type OAuthFlow = (typeof OAUTH_FLOWS)[number];

export interface OAuthSettings {
  AllowedOAuthFlowsUserPoolClient: boolean;
  AllowedOAuthFlows?: OAuthFlow[];
  AllowedOAuthScopes?: string[];
  CallbackURLs?: string[];
}

export async function checkOAuthSettings(settings: OAuthSettings, hasSecret: boolean, records: EncryptedRecords): Promise<void> {
  const flows = settings.AllowedOAuthFlows ?? [];
  const scopes = settings.AllowedOAuthScopes ?? [];
  if (settings.AllowedOAuthFlowsUserPoolClient && (flows.length === 0 || scopes.length === 0)) {
    throw new InvalidParameterException('AllowedOAuthFlows and AllowedOAuthScopes are required if user pool client is allowed to use OAuth flows.');
  }
  await checkScopesExist(scopes, records);
  if (flows.includes('client_credentials')) checkClientCredentials(flows, scopes, hasSecret);
  if ((flows.includes('code') || flows.includes('implicit')) && !settings.CallbackURLs?.length) {
    throw new InvalidOAuthFlowException('CallbackUrls can not be empty when code flow or implicit flow is selected');
  }
}

async function checkScopesExist(scopes: string[], records: EncryptedRecords): Promise<void> {
  for (const scope of scopes) {
    if (!(await scopeExists(records, scope))) throw new ScopeDoesNotExistException(`Invalid scope requested: ${scope}`);
  }
}

/**
 * Client credentials are for machine-to-machine clients: the only flow of its client, which must
 * have a secret to authenticate with, and granting only custom scopes (there is no user for
 * openid, email, phone or profile to describe).
 */
function checkClientCredentials(flows: OAuthFlow[], scopes: string[], hasSecret: boolean): void {
  if (flows.some((flow) => flow !== 'client_credentials')) {
    throw new InvalidOAuthFlowException('client_credentials flow can not be selected if authorization code or implicit flow is selected.');
  }
  if (!hasSecret) throw new InvalidOAuthFlowException('client_credentials flow can not be selected if client does not have a client secret.');
  const userScope = scopes.find((scope) => STANDARD_SCOPES.has(scope));
  if (userScope !== undefined) throw new InvalidOAuthFlowException(`${userScope} is not supported with client_credentials flow`);
}
