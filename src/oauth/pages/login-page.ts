import type { FastifyReply } from 'fastify';
import { checkUserPassword, signInChallenge } from '../../userpools/auth/sign-in.ts';
import { resendConfirmationCode } from '../../userpools/signup/confirmation.ts';
import { forgotPassword } from '../../userpools/recovery/forgot-password.ts';
import { loadPool } from '../../userpools/pools/pool-directory.ts';
import type { UserPoolRecord } from '../../userpools/pools/user-pool.ts';
import { findUser } from '../../userpools/users/user-directory.ts';
import { renderForm, renderLinks } from './html.ts';
import { CSRF_REFUSED, csrfAccepted, field, finishSignIn, pageAddress, secretHashFor, showPage, userFacingError, type HostedPage } from './hosted-page.ts';
import { showNewPassword } from './new-password-page.ts';
import { showConfirmForgotPassword } from './password-reset-pages.ts';
import { showConfirmUser } from './sign-up-pages.ts';

export interface LoginState {
  username?: string;
  usernameError?: string;
  passwordError?: string;
  alert?: string;
  notice?: string;
}

/** What the pool signs in with, as the username field's label. */
export function usernameLabel(pool: UserPoolRecord): string {
  const attributes = pool.usernameAttributes;
  if (attributes.includes('email') && attributes.includes('phone_number')) return 'Email or phone number';
  if (attributes.includes('email')) return 'Email';
  if (attributes.includes('phone_number')) return 'Phone number';
  return 'Username';
}

export function showLogin(page: HostedPage, status: number, state: LoginState = {}): Promise<FastifyReply> {
  const pool = page.authorization.pool;
  const links = [{ href: pageAddress(page, 'forgotPassword'), label: 'Forgot your password?' }];
  if (!pool.settings.AdminCreateUserConfig?.AllowAdminCreateUserOnly) links.push({ href: pageAddress(page, 'signup'), label: 'Need an account? Sign up' });
  return showPage(page, status, {
    title: 'Sign in',
    alert: state.alert,
    notice: state.notice,
    body: (csrfToken) =>
      renderForm({
        action: pageAddress(page, 'login'),
        csrfToken,
        fields: [
          { name: 'username', label: usernameLabel(pool), autocomplete: 'username', value: state.username, error: state.usernameError },
          { name: 'password', label: 'Password', type: 'password', autocomplete: 'current-password', error: state.passwordError },
        ],
        submit: 'Sign in',
      }) + renderLinks(links),
  });
}

/**
 * The login form, checked exactly as USER_PASSWORD_AUTH checks a password (checkUserPassword,
 * signInChallenge): lockout, unknown users per PreventUserExistenceErrors, disabled users and the
 * NEW_PASSWORD_REQUIRED challenge behave as in the API. An unconfirmed user is sent a new code
 * and shown the confirmation page; a user whose password must be reset is sent a reset code.
 */
export async function handleLogin(page: HostedPage): Promise<FastifyReply> {
  const username = field(page, 'username');
  const password = field(page, 'password');
  if (!(await csrfAccepted(page))) return showLogin(page, 403, { username, alert: CSRF_REFUSED });
  if (!username) return showLogin(page, 400, { usernameError: 'Enter your username.' });
  if (!password) return showLogin(page, 400, { username, passwordError: 'Enter your password.' });
  const { services, authorization } = page;
  const client = authorization.client;
  let outcome;
  try {
    outcome = await services.vault.read(page.pool.poolId, async (records) => {
      const pool = await loadPool(records);
      const user = await checkUserPassword(services, pool, client, await findUser(records, pool, username), password);
      // Only the challenge is wanted here: tokens come from the authorization code (finishSignIn).
      return { user, response: signInChallenge(services, records, client, user) };
    });
  } catch (error) {
    const failure = userFacingError(error);
    if (failure.type === 'UserNotConfirmedException') return confirmBeforeSignIn(page, username, failure.message);
    if (failure.type === 'PasswordResetRequiredException') return resetBeforeSignIn(page, username, failure.message);
    if (failure.type === 'UserNotFoundException') return showLogin(page, 400, { username, usernameError: failure.message });
    return showLogin(page, 400, { username, passwordError: failure.message });
  }
  if (outcome.response?.ChallengeName === 'NEW_PASSWORD_REQUIRED' && outcome.response.Session) {
    return showNewPassword(page, 200, { session: outcome.response.Session, username, user: outcome.user });
  }
  return finishSignIn(page, outcome.user);
}

/** Cognito's hosted UI sends an unconfirmed user (right password) a new code and asks for it. */
async function confirmBeforeSignIn(page: HostedPage, username: string, message: string): Promise<FastifyReply> {
  const client = page.authorization.client;
  try {
    const sent = await resendConfirmationCode(page.services, { clientId: client.id, secretHash: secretHashFor(client, username), username });
    return showConfirmUser(page, 200, { username, notice: `Your account is not confirmed yet. We sent a code to ${sent.CodeDeliveryDetails.Destination}.` });
  } catch (error) {
    return showLogin(page, 400, { username, usernameError: `${message} ${userFacingError(error).message}` });
  }
}

/** A user whose password an administrator reset gets a reset code, as Cognito's hosted UI does. */
async function resetBeforeSignIn(page: HostedPage, username: string, message: string): Promise<FastifyReply> {
  const client = page.authorization.client;
  try {
    const sent = await forgotPassword(page.services, { clientId: client.id, secretHash: secretHashFor(client, username), username });
    return showConfirmForgotPassword(page, 200, { username, notice: `You must choose a new password. We sent a code to ${sent.CodeDeliveryDetails.Destination}.` });
  } catch (error) {
    return showLogin(page, 400, { username, alert: `${message}. ${userFacingError(error).message}` });
  }
}
