import type { EncryptedRecords } from '../../crypto/encrypted-records.ts';
import type { UserPoolServices } from '../../userpools/services.ts';
import type { AuthenticatedClient } from '../client-authentication.ts';
import type { OAuthPool } from '../pool-resolution.ts';
import type { FormParameters } from './form-body.ts';

/**
 * The contract between the token endpoint and its grant types (RFC 6749 §4). The endpoint has
 * already resolved the pool from the domain, parsed the form, checked that grant_type names a
 * registered grant and authenticated the client (a public client arrives with method `none`);
 * a grant checks its own parameters, issues tokens and throws the errors of src/oauth/oauth-errors.ts.
 */
export interface TokenRequest {
  services: UserPoolServices;
  pool: OAuthPool;
  /** A read view of the pool's records, the one the client was read in. Writes go through services.vault. */
  records: EncryptedRecords;
  client: AuthenticatedClient;
  /** Every form parameter, each at most once, empty ones dropped (RFC 6749 §3.2). */
  parameters: FormParameters;
  requestId: string;
  sourceIp: string;
  userAgent: string;
}

/** A successful access token response (RFC 6749 §5.1), sent as JSON with Cache-Control: no-store. */
export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  id_token?: string;
  refresh_token?: string;
  /** RFC 6749 §5.1: required when the granted scope differs from the requested one. */
  scope?: string;
}

export type GrantHandler = (request: TokenRequest) => Promise<TokenResponse>;

/** grant_type value -> handler. */
export type GrantRegistry = Readonly<Record<string, GrantHandler>>;
