import { InvalidParameterException } from '../errors.ts';
import type { AppClientRecord } from '../clients/app-client.ts';

export type AuthFlow = 'USER_PASSWORD_AUTH' | 'ADMIN_USER_PASSWORD_AUTH' | 'ADMIN_NO_SRP_AUTH' | 'USER_SRP_AUTH' | 'REFRESH_TOKEN_AUTH' | 'REFRESH_TOKEN';

/** Which ExplicitAuthFlows values (current or legacy) enable each flow. */
const ENABLING_FLOWS: Record<AuthFlow, string[]> = {
  USER_PASSWORD_AUTH: ['ALLOW_USER_PASSWORD_AUTH', 'USER_PASSWORD_AUTH'],
  ADMIN_USER_PASSWORD_AUTH: ['ALLOW_ADMIN_USER_PASSWORD_AUTH', 'ADMIN_NO_SRP_AUTH'],
  ADMIN_NO_SRP_AUTH: ['ALLOW_ADMIN_USER_PASSWORD_AUTH', 'ADMIN_NO_SRP_AUTH'],
  USER_SRP_AUTH: ['ALLOW_USER_SRP_AUTH'],
  REFRESH_TOKEN_AUTH: ['ALLOW_REFRESH_TOKEN_AUTH'],
  REFRESH_TOKEN: ['ALLOW_REFRESH_TOKEN_AUTH'],
};

/**
 * Refuses a flow the app client does not allow, with Cognito's error. Legacy clients (only legacy
 * values) implicitly allow SRP and refresh, as Cognito did before ALLOW_ values existed.
 */
export function requireAuthFlow(client: AppClientRecord, flow: AuthFlow): void {
  const allowed = client.settings.ExplicitAuthFlows as string[];
  const legacyOnly = allowed.length > 0 && allowed.every((value) => !value.startsWith('ALLOW_'));
  if (legacyOnly && (flow === 'USER_SRP_AUTH' || flow === 'REFRESH_TOKEN_AUTH' || flow === 'REFRESH_TOKEN')) return;
  if (!ENABLING_FLOWS[flow].some((value) => allowed.includes(value))) {
    throw new InvalidParameterException(`${flow === 'REFRESH_TOKEN' ? 'REFRESH_TOKEN_AUTH' : flow} flow not enabled for this client`);
  }
}
