/** Fills Cognito's message placeholders: `{username}` and `{####}` (the code or password). */
export function fillTemplate(template: string, values: { username: string; code: string }): string {
  return template.replaceAll('{username}', values.username).replaceAll('{####}', values.code);
}

/** Cognito's default invitation (AdminCreateUserConfig.InviteMessageTemplate). */
export const DEFAULT_INVITATION = {
  subject: 'Your temporary password',
  body: 'Your username is {username} and temporary password is {####}.',
};
