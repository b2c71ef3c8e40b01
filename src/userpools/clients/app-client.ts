import { awsTimestamp } from '../pools/user-pool.ts';
import type { ClientSettings } from './client-settings.ts';
import { validitySeconds } from './token-validity.ts';

/**
 * Record kind of app clients (id = the client id, which is not personal data). The client secret
 * lives only inside this encrypted record.
 */
export const APP_CLIENT_RECORD_KIND = 'app-client';

/** An app client as stored (encrypted) in its pool. */
export interface AppClientRecord {
  /** The ClientId: 26 lower-case alphanumerics, as Cognito's. */
  id: string;
  userPoolId: string;
  name: string;
  /** Present exactly for confidential clients (GenerateSecret or ClientSecret at creation). */
  secret?: string;
  createdAt: number;
  modifiedAt: number;
  /** Every setting with Cognito's defaults applied. */
  settings: ClientSettings;
}

/**
 * The UserPoolClientType of Create/Describe/UpdateUserPoolClient. Lists left empty are omitted:
 * Cognito only shows ReadAttributes and WriteAttributes "if you have specified your own custom set".
 */
export function toUserPoolClientType(client: AppClientRecord): Record<string, unknown> {
  return {
    UserPoolId: client.userPoolId,
    ClientName: client.name,
    ClientId: client.id,
    ...(client.secret === undefined ? {} : { ClientSecret: client.secret }),
    LastModifiedDate: awsTimestamp(client.modifiedAt),
    CreationDate: awsTimestamp(client.createdAt),
    ...client.settings,
    // Every client made through the API is REGULAR; DCR clients come from dynamic registration.
    ClientType: 'REGULAR',
  };
}

/** The UserPoolClientDescription of ListUserPoolClients: no settings, never the secret. */
export function toUserPoolClientDescription(client: AppClientRecord): Record<string, unknown> {
  return { ClientId: client.id, UserPoolId: client.userPoolId, ClientName: client.name };
}

/** Token lifetimes in seconds, for the code that issues and refreshes tokens. */
export function tokenLifetimes(client: AppClientRecord): { access: number; id: number; refresh: number } {
  return {
    access: validitySeconds(client.settings, 'AccessToken'),
    id: validitySeconds(client.settings, 'IdToken'),
    refresh: validitySeconds(client.settings, 'RefreshToken'),
  };
}
