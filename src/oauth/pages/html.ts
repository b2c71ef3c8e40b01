import type { FastifyReply } from 'fastify';

/**
 * Markup of the hosted pages: plain HTML forms that work without JavaScript, with labels,
 * autocomplete hints, errors tied to their field (aria-describedby, aria-invalid) and page-level
 * messages in live regions. No third-party resources: the only style is the inline sheet below,
 * which the Content-Security-Policy allows and nothing else.
 */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

export interface Field {
  name: string;
  label: string;
  type?: 'text' | 'email' | 'tel' | 'password';
  autocomplete: string;
  value?: string;
  error?: string;
  hint?: string;
  required?: boolean;
  readonly?: boolean;
  inputmode?: 'numeric' | 'email' | 'tel';
}

/** An input with its label, hint and error; the id is the field name made safe for ids. */
export function renderField(field: Field): string {
  const id = fieldId(field.name);
  const described = [field.hint ? `${id}-hint` : '', field.error ? `${id}-error` : ''].filter(Boolean).join(' ');
  const attributes = [
    `id="${id}"`,
    `name="${escapeHtml(field.name)}"`,
    `type="${field.type ?? 'text'}"`,
    `autocomplete="${escapeHtml(field.autocomplete)}"`,
    field.value !== undefined && field.type !== 'password' ? `value="${escapeHtml(field.value)}"` : '',
    field.required === false ? '' : 'required',
    field.readonly ? 'readonly' : '',
    field.inputmode ? `inputmode="${field.inputmode}"` : '',
    field.type === 'text' || field.type === undefined ? 'autocapitalize="none" spellcheck="false"' : '',
    described ? `aria-describedby="${described}"` : '',
    field.error ? 'aria-invalid="true"' : '',
  ].filter(Boolean);
  return [
    '<div class="field">',
    `<label for="${id}">${escapeHtml(field.label)}</label>`,
    field.hint ? `<p class="hint" id="${id}-hint">${escapeHtml(field.hint)}</p>` : '',
    `<input ${attributes.join(' ')}>`,
    field.error ? `<p class="error" id="${id}-error">${escapeHtml(field.error)}</p>` : '',
    '</div>',
  ].join('\n');
}

export function fieldId(name: string): string {
  return `field-${name.replace(/[^A-Za-z0-9_-]/g, '-')}`;
}

export interface FormOptions {
  /** Path and query the form posts to (same origin as the page). */
  action: string;
  csrfToken: string;
  fields: Field[];
  hidden?: Record<string, string>;
  submit: string;
  /** Extra submit buttons: name=value pairs with their label. */
  buttons?: Array<{ name: string; value: string; label: string; secondary?: boolean }>;
}

export function renderForm(form: FormOptions): string {
  const hidden = { csrf_token: form.csrfToken, ...form.hidden };
  return [
    `<form method="post" action="${escapeHtml(form.action)}">`,
    ...Object.entries(hidden).map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`),
    ...form.fields.map(renderField),
    `<button type="submit">${escapeHtml(form.submit)}</button>`,
    ...(form.buttons ?? []).map(
      (button) =>
        `<button type="submit" name="${escapeHtml(button.name)}" value="${escapeHtml(button.value)}"${button.secondary ? ' class="secondary" formnovalidate' : ''}>${escapeHtml(button.label)}</button>`,
    ),
    '</form>',
  ].join('\n');
}

export interface PageOptions {
  title: string;
  /** A problem with the whole submission (shown first, announced). */
  alert?: string;
  /** Good news or instructions (announced politely). */
  notice?: string;
  body: string;
}

const STYLE = `
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f3f4f6;color:#111827}
main{max-width:26rem;margin:3rem auto;padding:2rem;background:#fff;border-radius:.5rem;box-shadow:0 1px 3px rgba(0,0,0,.15)}
h1{font-size:1.5rem;margin:0 0 1.5rem}
.field{margin:0 0 1rem}
label{display:block;font-weight:600;margin-bottom:.25rem}
input{width:100%;padding:.6rem;border:1px solid #6b7280;border-radius:.25rem;font:inherit}
input:focus,button:focus,a:focus{outline:3px solid #2563eb;outline-offset:2px}
input[aria-invalid=true]{border-color:#b91c1c;border-width:2px}
.hint{margin:0 0 .25rem;color:#4b5563;font-size:.875rem}
.error{margin:.25rem 0 0;color:#b91c1c;font-weight:600}
button{display:block;width:100%;margin-top:1rem;padding:.7rem;border:0;border-radius:.25rem;background:#1d4ed8;color:#fff;font:inherit;font-weight:600;cursor:pointer}
button.secondary{background:#fff;color:#1d4ed8;border:1px solid #1d4ed8}
.alert{padding:.75rem;margin:0 0 1rem;border-left:4px solid #b91c1c;background:#fef2f2}
.notice{padding:.75rem;margin:0 0 1rem;border-left:4px solid #15803d;background:#f0fdf4}
nav{margin-top:1.5rem}nav p{margin:.5rem 0}
a{color:#1d4ed8}
`;

export function renderPage(page: PageOptions): string {
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="referrer" content="no-referrer">',
    `<title>${escapeHtml(page.title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    '<main>',
    `<h1>${escapeHtml(page.title)}</h1>`,
    page.alert ? `<div class="alert" role="alert" id="page-alert">${escapeHtml(page.alert)}</div>` : '',
    page.notice ? `<div class="notice" role="status" id="page-notice">${escapeHtml(page.notice)}</div>` : '',
    page.body,
    '</main>',
    '</body>',
    '</html>',
  ]
    .filter(Boolean)
    .join('\n');
}

export function renderLinks(links: Array<{ href: string; label: string }>): string {
  if (links.length === 0) return '';
  return `<nav aria-label="Other options">${links.map((link) => `<p><a href="${escapeHtml(link.href)}">${escapeHtml(link.label)}</a></p>`).join('')}</nav>`;
}

/**
 * Sends a page with the headers every hosted page carries. `formTargets` are the origins a form
 * submission may end up at: `form-action` also governs the redirects that follow a submission, so
 * the login form must be allowed to land on the client's redirect URI.
 */
export function sendPage(reply: FastifyReply, status: number, html: string, formTargets: readonly string[] = []): FastifyReply {
  const formAction = ["'self'", ...formTargets].join(' ');
  return reply
    .status(status)
    .header('content-type', 'text/html; charset=utf-8')
    .header('content-security-policy', `default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self'; form-action ${formAction}; frame-ancestors 'none'; base-uri 'none'`)
    .header('x-frame-options', 'DENY')
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('cache-control', 'no-store')
    .header('pragma', 'no-cache')
    .send(html);
}

/** The CSP source of a redirect URI: its origin, or its scheme for app schemes (`myapp:`). */
export function formTargetOf(redirectUri: string): string {
  try {
    const url = new URL(redirectUri);
    return url.origin !== 'null' ? url.origin : url.protocol;
  } catch {
    return "'none'";
  }
}

export function renderErrorPage(message: string): string {
  return renderPage({ title: 'Something went wrong', alert: message, body: '<p>Go back to the application and try again.</p>' });
}
