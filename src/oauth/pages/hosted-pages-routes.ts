import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { UserPoolServices } from '../../userpools/services.ts';
import { oauthRoutePaths } from '../pool-resolution.ts';
import { acceptRawBodies } from '../token-endpoint/form-body.ts';
import { handleBrowserErrors, methodNotAllowedPage, notFoundPage } from './browser-errors.ts';
import { openHostedPage, pageAddress, type HostedPage, type HostedPageName } from './hosted-page.ts';
import { handleLogin, showLogin } from './login-page.ts';
import { handleNewPassword } from './new-password-page.ts';
import { handleConfirmForgotPassword, handleForgotPassword, showConfirmForgotPassword, showForgotPassword } from './password-reset-pages.ts';
import { handleConfirmUser, handleSignUp, showConfirmUser, showSignUp } from './sign-up-pages.ts';

interface PageHandlers {
  get(page: HostedPage): Promise<FastifyReply>;
  post(page: HostedPage): Promise<FastifyReply>;
}

/**
 * The hosted pages, each at `<base>/<page>` with the authorization request's parameters in its
 * query, as Cognito's hosted UI (developer guide, "Login endpoint"): /login, /signup,
 * /confirmUser, /forgotPassword, /confirmForgotPassword, and /newPassword for the
 * NEW_PASSWORD_REQUIRED challenge (reached only by posting the login form).
 */
const PAGES: Record<HostedPageName, PageHandlers> = {
  login: { get: (page) => showLogin(page, 200), post: handleLogin },
  // The challenge session exists only in the login form's answer: a plain visit starts over.
  newPassword: { get: async (page) => page.reply.redirect(pageAddress(page, 'login'), 302), post: handleNewPassword },
  signup: { get: (page) => showSignUp(page, 200), post: handleSignUp },
  confirmUser: { get: (page) => showConfirmUser(page, 200), post: handleConfirmUser },
  forgotPassword: { get: (page) => showForgotPassword(page, 200), post: handleForgotPassword },
  confirmForgotPassword: { get: (page) => showConfirmForgotPassword(page, 200), post: handleConfirmForgotPassword },
};

export function registerHostedPages(app: FastifyInstance, services: UserPoolServices): void {
  app.register(async (scope) => {
    acceptRawBodies(scope);
    handleBrowserErrors(scope);
    for (const [name, handlers] of Object.entries(PAGES)) {
      for (const path of oauthRoutePaths(`/${name}`)) scope.all(path, (request, reply) => servePage(services, handlers, request, reply));
    }
  });
}

async function servePage(services: UserPoolServices, handlers: PageHandlers, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  if (!['GET', 'HEAD', 'POST'].includes(request.method)) return methodNotAllowedPage(reply, ['GET', 'POST']);
  const page = await openHostedPage(services, request, reply);
  if (!page) return notFoundPage(reply);
  return request.method === 'POST' ? handlers.post(page) : handlers.get(page);
}
