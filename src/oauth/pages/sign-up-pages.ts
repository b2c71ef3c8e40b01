import type { FastifyReply } from 'fastify';
import { passwordPolicyOf } from '../../userpools/pools/pool-settings.ts';
import type { UserPoolRecord } from '../../userpools/pools/user-pool.ts';
import { confirmSignUp, resendConfirmationCode } from '../../userpools/signup/confirmation.ts';
import { signUp } from '../../userpools/signup/sign-up.ts';
import { InvalidAttributeValue } from '../../userpools/users/user-attributes.ts';
import { attributeField, missingRequiredAttributes, submittedAttributes } from './attribute-fields.ts';
import { renderForm, renderLinks, type Field } from './html.ts';
import { CSRF_REFUSED, csrfAccepted, field, pageAddress, secretHashFor, showPage, userFacingError, type HostedPage } from './hosted-page.ts';
import { showLogin, usernameLabel } from './login-page.ts';

/**
 * Self-service sign-up (SignUp) and its confirmation (ConfirmSignUp, ResendConfirmationCode),
 * driven through the user-pool domain functions so every rule (password policy, writable and
 * required attributes, username attributes, code attempts and expiry) is the API's.
 */
export interface SignUpState {
  username?: string;
  values?: Record<string, string>;
  usernameError?: string;
  passwordError?: string;
  /** Errors of attribute fields, by attribute name. */
  attributeErrors?: Record<string, string>;
  alert?: string;
}

/** Attribute fields of the sign-up form: contact attributes the pool uses, then other required ones. */
function signUpAttributes(pool: UserPoolRecord): Array<{ name: string; required: boolean }> {
  const usedAsUsername = pool.usernameAttributes as string[];
  const required = (name: string) => pool.schema.some((attribute) => attribute.Name === name && attribute.Required);
  const contact = (['email', 'phone_number'] as const).filter(
    (name) =>
      !usedAsUsername.includes(name) &&
      (required(name) || (pool.settings.AutoVerifiedAttributes ?? []).includes(name) || (pool.aliasAttributes as string[]).includes(name)),
  );
  const others = missingRequiredAttributes(pool, {}, [...usedAsUsername, ...contact]);
  return [...contact.map((name) => ({ name, required: required(name) })), ...others.map((name) => ({ name, required: true }))];
}

export function passwordHint(pool: UserPoolRecord): string {
  const policy = passwordPolicyOf(pool.settings);
  const needs = [
    policy.RequireLowercase ? 'a lower-case letter' : '',
    policy.RequireUppercase ? 'an upper-case letter' : '',
    policy.RequireNumbers ? 'a number' : '',
    policy.RequireSymbols ? 'a symbol' : '',
  ].filter(Boolean);
  return `At least ${policy.MinimumLength} characters${needs.length ? `, with ${needs.join(', ')}` : ''}.`;
}

function signUpsAllowed(page: HostedPage): boolean {
  return !page.authorization.pool.settings.AdminCreateUserConfig?.AllowAdminCreateUserOnly;
}

export function showSignUp(page: HostedPage, status: number, state: SignUpState = {}): Promise<FastifyReply> {
  const pool = page.authorization.pool;
  if (!signUpsAllowed(page)) return showLogin(page, 403, { alert: 'Sign-up is not available for this application.' });
  const emailUsername = pool.usernameAttributes.length === 1 && pool.usernameAttributes[0] === 'email';
  const fields: Field[] = [
    { name: 'username', label: usernameLabel(pool), type: emailUsername ? 'email' : 'text', autocomplete: 'username', value: state.username, error: state.usernameError },
    ...signUpAttributes(pool).map(({ name, required }) => ({ ...attributeField(name, state.values?.[name], state.attributeErrors?.[name]), required })),
    { name: 'password', label: 'Password', type: 'password', autocomplete: 'new-password', hint: passwordHint(pool), error: state.passwordError },
  ];
  return showPage(page, status, {
    title: 'Sign up',
    alert: state.alert,
    body: (csrfToken) =>
      renderForm({ action: pageAddress(page, 'signup'), csrfToken, fields, submit: 'Sign up' }) +
      renderLinks([{ href: pageAddress(page, 'login'), label: 'Already have an account? Sign in' }]),
  });
}

export async function handleSignUp(page: HostedPage): Promise<FastifyReply> {
  const pool = page.authorization.pool;
  if (!signUpsAllowed(page)) return showLogin(page, 403, { alert: 'Sign-up is not available for this application.' });
  const username = field(page, 'username')?.trim();
  const password = field(page, 'password');
  const values = submittedAttributes(
    signUpAttributes(pool).map((attribute) => attribute.name),
    (name) => field(page, name),
  );
  if (!(await csrfAccepted(page))) return showSignUp(page, 403, { username, values, alert: CSRF_REFUSED });
  if (!username) return showSignUp(page, 400, { values, usernameError: `Enter your ${usernameLabel(pool).toLowerCase()}.` });
  if (!password) return showSignUp(page, 400, { username, values, passwordError: 'Choose a password.' });
  const client = page.authorization.client;
  let result;
  try {
    result = await signUp(page.services, { clientId: client.id, secretHash: secretHashFor(client, username), username, password, attributes: values });
  } catch (error) {
    const failure = userFacingError(error);
    if (failure.type === 'UsernameExistsException') return showSignUp(page, 400, { username, values, usernameError: failure.message });
    if (failure.type === 'InvalidPasswordException') return showSignUp(page, 400, { username, values, passwordError: failure.message });
    if (failure instanceof InvalidAttributeValue && signUpAttributes(pool).some((attribute) => attribute.name === failure.attributeName)) {
      return showSignUp(page, 400, { username, values, attributeErrors: { [failure.attributeName]: failure.message } });
    }
    return showSignUp(page, 400, { username, values, alert: failure.message });
  }
  if (!result.CodeDeliveryDetails) {
    return showLogin(page, 200, { username, notice: 'Your account was created. An administrator must confirm it before you can sign in.' });
  }
  return showConfirmUser(page, 200, { username, notice: `We sent a code to ${result.CodeDeliveryDetails.Destination}. Enter it to confirm your account.` });
}

export interface ConfirmUserState {
  username?: string;
  usernameError?: string;
  codeError?: string;
  alert?: string;
  notice?: string;
}

export function showConfirmUser(page: HostedPage, status: number, state: ConfirmUserState = {}): Promise<FastifyReply> {
  return showPage(page, status, {
    title: 'Confirm your account',
    alert: state.alert,
    notice: state.notice,
    body: (csrfToken) =>
      renderForm({
        action: pageAddress(page, 'confirmUser'),
        csrfToken,
        fields: [
          { name: 'username', label: usernameLabel(page.authorization.pool), autocomplete: 'username', value: state.username, error: state.usernameError },
          { name: 'code', label: 'Confirmation code', autocomplete: 'one-time-code', inputmode: 'numeric', error: state.codeError },
        ],
        submit: 'Confirm account',
        buttons: [{ name: 'action', value: 'resend', label: 'Send a new code', secondary: true }],
      }) + renderLinks([{ href: pageAddress(page, 'login'), label: 'Back to sign in' }]),
  });
}

export async function handleConfirmUser(page: HostedPage): Promise<FastifyReply> {
  const username = field(page, 'username')?.trim();
  if (!(await csrfAccepted(page))) return showConfirmUser(page, 403, { username, alert: CSRF_REFUSED });
  if (!username) return showConfirmUser(page, 400, { usernameError: 'Enter your username.' });
  const client = page.authorization.client;
  const secretHash = secretHashFor(client, username);
  if (field(page, 'action') === 'resend') {
    try {
      const sent = await resendConfirmationCode(page.services, { clientId: client.id, secretHash, username });
      return showConfirmUser(page, 200, { username, notice: `We sent a new code to ${sent.CodeDeliveryDetails.Destination}.` });
    } catch (error) {
      return showConfirmUser(page, 400, { username, alert: userFacingError(error).message });
    }
  }
  const code = field(page, 'code')?.trim();
  if (!code) return showConfirmUser(page, 400, { username, codeError: 'Enter the code we sent you.' });
  try {
    await confirmSignUp(page.services, { clientId: client.id, secretHash, username, code, forceAliasCreation: false });
  } catch (error) {
    const failure = userFacingError(error);
    if (['CodeMismatchException', 'ExpiredCodeException', 'LimitExceededException'].includes(failure.type)) return showConfirmUser(page, 400, { username, codeError: failure.message });
    if (failure.type === 'UserNotFoundException') return showConfirmUser(page, 400, { username, usernameError: failure.message });
    return showConfirmUser(page, 400, { username, alert: failure.message });
  }
  return showLogin(page, 200, { username, notice: 'Your account is confirmed. Sign in to continue.' });
}
