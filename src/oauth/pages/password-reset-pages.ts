import type { FastifyReply } from 'fastify';
import { confirmForgotPassword, forgotPassword } from '../../userpools/recovery/forgot-password.ts';
import { renderForm, renderLinks } from './html.ts';
import { CSRF_REFUSED, csrfAccepted, field, pageAddress, secretHashFor, showPage, userFacingError, type HostedPage } from './hosted-page.ts';
import { showLogin, usernameLabel } from './login-page.ts';
import { passwordHint } from './sign-up-pages.ts';

/**
 * Self-service password reset through the recovery domain functions (ForgotPassword,
 * ConfirmForgotPassword): the code goes to the user's verified address, PreventUserExistenceErrors
 * decides what an unknown user sees, and a successful reset ends the user's sessions.
 */
export interface ForgotPasswordState {
  username?: string;
  usernameError?: string;
  alert?: string;
}

export function showForgotPassword(page: HostedPage, status: number, state: ForgotPasswordState = {}): Promise<FastifyReply> {
  return showPage(page, status, {
    title: 'Reset your password',
    alert: state.alert,
    body: (csrfToken) =>
      '<p>Enter your username and we will send you a code to reset your password.</p>' +
      renderForm({
        action: pageAddress(page, 'forgotPassword'),
        csrfToken,
        fields: [{ name: 'username', label: usernameLabel(page.authorization.pool), autocomplete: 'username', value: state.username, error: state.usernameError }],
        submit: 'Send code',
      }) +
      renderLinks([{ href: pageAddress(page, 'login'), label: 'Back to sign in' }]),
  });
}

export async function handleForgotPassword(page: HostedPage): Promise<FastifyReply> {
  const username = field(page, 'username')?.trim();
  if (!(await csrfAccepted(page))) return showForgotPassword(page, 403, { username, alert: CSRF_REFUSED });
  if (!username) return showForgotPassword(page, 400, { usernameError: 'Enter your username.' });
  const client = page.authorization.client;
  try {
    const sent = await forgotPassword(page.services, { clientId: client.id, secretHash: secretHashFor(client, username), username });
    return showConfirmForgotPassword(page, 200, { username, notice: `We sent a code to ${sent.CodeDeliveryDetails.Destination}. Enter it with your new password.` });
  } catch (error) {
    const failure = userFacingError(error);
    if (failure.type === 'UserNotFoundException') return showForgotPassword(page, 400, { username, usernameError: failure.message });
    return showForgotPassword(page, 400, { username, alert: failure.message });
  }
}

export interface ConfirmForgotPasswordState {
  username?: string;
  usernameError?: string;
  codeError?: string;
  passwordError?: string;
  confirmError?: string;
  alert?: string;
  notice?: string;
}

export function showConfirmForgotPassword(page: HostedPage, status: number, state: ConfirmForgotPasswordState = {}): Promise<FastifyReply> {
  return showPage(page, status, {
    title: 'Choose a new password',
    alert: state.alert,
    notice: state.notice,
    body: (csrfToken) =>
      renderForm({
        action: pageAddress(page, 'confirmForgotPassword'),
        csrfToken,
        fields: [
          { name: 'username', label: usernameLabel(page.authorization.pool), autocomplete: 'username', value: state.username, error: state.usernameError },
          { name: 'code', label: 'Code', autocomplete: 'one-time-code', inputmode: 'numeric', error: state.codeError },
          { name: 'password', label: 'New password', type: 'password', autocomplete: 'new-password', hint: passwordHint(page.authorization.pool), error: state.passwordError },
          { name: 'confirm_password', label: 'Confirm new password', type: 'password', autocomplete: 'new-password', error: state.confirmError },
        ],
        submit: 'Reset password',
      }) + renderLinks([{ href: pageAddress(page, 'forgotPassword'), label: 'Send a new code' }]),
  });
}

export async function handleConfirmForgotPassword(page: HostedPage): Promise<FastifyReply> {
  const username = field(page, 'username')?.trim();
  const code = field(page, 'code')?.trim();
  const password = field(page, 'password');
  if (!(await csrfAccepted(page))) return showConfirmForgotPassword(page, 403, { username, alert: CSRF_REFUSED });
  if (!username) return showConfirmForgotPassword(page, 400, { usernameError: 'Enter your username.' });
  if (!code) return showConfirmForgotPassword(page, 400, { username, codeError: 'Enter the code we sent you.' });
  if (!password) return showConfirmForgotPassword(page, 400, { username, passwordError: 'Choose a new password.' });
  if (password !== field(page, 'confirm_password')) return showConfirmForgotPassword(page, 400, { username, confirmError: 'The passwords do not match.' });
  const client = page.authorization.client;
  try {
    await confirmForgotPassword(page.services, { clientId: client.id, secretHash: secretHashFor(client, username), username, code, password });
  } catch (error) {
    const failure = userFacingError(error);
    if (['CodeMismatchException', 'ExpiredCodeException', 'LimitExceededException'].includes(failure.type)) {
      return showConfirmForgotPassword(page, 400, { username, codeError: failure.message });
    }
    if (failure.type === 'InvalidPasswordException') return showConfirmForgotPassword(page, 400, { username, passwordError: failure.message });
    if (failure.type === 'UserNotFoundException') return showConfirmForgotPassword(page, 400, { username, usernameError: failure.message });
    return showConfirmForgotPassword(page, 400, { username, alert: failure.message });
  }
  return showLogin(page, 200, { username, notice: 'Your password has been reset. Sign in with your new password.' });
}
