import type { FastifyReply } from 'fastify';
import { openChallenge } from '../../userpools/auth/challenge-session.ts';
import { chooseNewPassword } from '../../userpools/auth/new-password.ts';
import { InvalidAttributeValue } from '../../userpools/users/user-attributes.ts';
import { USER_RECORD_KIND, type UserRecord } from '../../userpools/users/user-record.ts';
import { attributeField, missingRequiredAttributes, submittedAttributes } from './attribute-fields.ts';
import { renderForm } from './html.ts';
import { CSRF_REFUSED, csrfAccepted, field, finishSignIn, pageAddress, showPage, userFacingError, type HostedPage } from './hosted-page.ts';
import { showLogin } from './login-page.ts';

export interface NewPasswordState {
  /** The NEW_PASSWORD_REQUIRED challenge session (sealed, bound to the client, expiring). */
  session: string;
  username: string;
  /** Required attributes the user still lacks. */
  missing: string[];
  values?: Record<string, string>;
  newPasswordError?: string;
  confirmError?: string;
  /** Errors of attribute fields, by attribute name. */
  attributeErrors?: Record<string, string>;
  alert?: string;
}

/** After a temporary password: the user chooses a permanent one (RespondToAuthChallenge NEW_PASSWORD_REQUIRED). */
export function showNewPassword(page: HostedPage, status: number, state: Omit<NewPasswordState, 'missing'> & { user?: UserRecord; missing?: string[] }): Promise<FastifyReply> {
  const missing = state.missing ?? missingRequiredAttributes(page.authorization.pool, state.user?.attributes ?? {});
  return showPage(page, status, {
    title: 'Change your password',
    alert: state.alert,
    notice: state.alert ? undefined : 'Your temporary password must be replaced before you continue.',
    body: (csrfToken) =>
      renderForm({
        action: pageAddress(page, 'newPassword'),
        csrfToken,
        hidden: { session: state.session },
        fields: [
          { name: 'username', label: 'Username', autocomplete: 'username', value: state.username, readonly: true },
          { name: 'new_password', label: 'New password', type: 'password', autocomplete: 'new-password', error: state.newPasswordError },
          { name: 'confirm_password', label: 'Confirm new password', type: 'password', autocomplete: 'new-password', error: state.confirmError },
          ...missing.map((name) => attributeField(name, state.values?.[name], state.attributeErrors?.[name])),
        ],
        submit: 'Change password and sign in',
      }),
  });
}

export async function handleNewPassword(page: HostedPage): Promise<FastifyReply> {
  const { services, authorization } = page;
  const session = field(page, 'session') ?? '';
  const username = field(page, 'username') ?? '';
  const now = services.now();
  let userId: string;
  try {
    userId = await services.vault.read(page.pool.poolId, async (records) => openChallenge(records, session, { challenge: 'NEW_PASSWORD_REQUIRED', clientId: authorization.client.id, now }).userId);
  } catch (error) {
    return showLogin(page, 400, { username, alert: `${userFacingError(error).message} Sign in again.` });
  }
  const current = await services.vault.read(page.pool.poolId, (records) => records.get<UserRecord>(USER_RECORD_KIND, userId));
  const missing = missingRequiredAttributes(authorization.pool, current?.attributes ?? {});
  const values = submittedAttributes(missing, (name) => field(page, name));
  const again = (status: number, errors: Partial<NewPasswordState>) => showNewPassword(page, status, { session, username, missing, values, ...errors });

  if (!(await csrfAccepted(page))) return again(403, { alert: CSRF_REFUSED });
  const newPassword = field(page, 'new_password');
  if (!newPassword) return again(400, { newPasswordError: 'Enter a new password.' });
  if (newPassword !== field(page, 'confirm_password')) return again(400, { confirmError: 'The passwords do not match.' });
  try {
    await chooseNewPassword(services, authorization.pool, authorization.client, { session, newPassword, attributes: values });
  } catch (error) {
    const failure = userFacingError(error);
    if (failure.type === 'InvalidPasswordException') return again(400, { newPasswordError: failure.message });
    if (failure.type === 'NotAuthorizedException') return showLogin(page, 400, { username, alert: `${failure.message} Sign in again.` });
    if (failure instanceof InvalidAttributeValue && missing.includes(failure.attributeName)) return again(400, { attributeErrors: { [failure.attributeName]: failure.message } });
    return again(400, { alert: failure.message });
  }
  const user = await services.vault.read(page.pool.poolId, (records) => records.get<UserRecord>(USER_RECORD_KIND, userId));
  if (!user) return showLogin(page, 400, { username, alert: 'The user no longer exists.' });
  return finishSignIn(page, user);
}
