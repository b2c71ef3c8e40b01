import { randomUUID } from 'node:crypto';
import { UnsupportedUserStateException } from '../errors.ts';
import { fillTemplate, DEFAULT_INVITATION } from '../messages/templates.ts';
import { loadPool, readPool, withPool } from '../pools/pool-directory.ts';
import { passwordPolicyOf } from '../pools/pool-settings.ts';
import type { UserPoolRecord } from '../pools/user-pool.ts';
import type { UserPoolServices } from '../services.ts';
import { newRecordId } from '../shared/identifiers.ts';
import { checkAttributeChanges, checkRequiredAttributes } from './user-attributes.ts';
import { changeUserPassword } from './user-changes.ts';
import { saveUser } from './user-directory.ts';
import { identityOf, releaseAliases } from './user-identity.ts';
import { enforcePasswordPolicy, generateTemporaryPassword } from './password-policy.ts';
import { storePassword } from './password-storage.ts';
import type { UserRecord } from './user-record.ts';

export interface AdminCreateUserInput {
  poolId: string;
  username: string;
  attributes: Record<string, string>;
  temporaryPassword?: string;
  forceAliasCreation: boolean;
  messageAction?: 'RESEND' | 'SUPPRESS';
  deliveryMediums: Array<'SMS' | 'EMAIL'>;
}

/**
 * AdminCreateUser (Cognito API reference): a user in FORCE_CHANGE_PASSWORD with a temporary
 * password, invited by message unless SUPPRESS; RESEND re-invites an existing such user with a new
 * temporary password. In pools that sign in by email or phone, the username given is that address
 * and the stored username is a generated UUID, as Cognito does.
 */
export async function adminCreateUser(services: UserPoolServices, input: AdminCreateUserInput): Promise<UserRecord> {
  const pool = await readPool(services, input.poolId);
  const policy = passwordPolicyOf(pool.settings);
  const temporaryPassword = input.temporaryPassword ?? generateTemporaryPassword(policy);
  enforcePasswordPolicy(temporaryPassword, policy);
  const now = services.now();

  if (input.messageAction === 'RESEND') return resendInvitation(services, pool, input, temporaryPassword, now);

  const { username, attributes } = identityOf(pool, input);
  checkAttributeChanges(pool.schema, attributes, { creating: true });
  checkRequiredAttributes(pool.schema, attributes);
  const password = await storePassword(pool.id, username, temporaryPassword, { temporary: true, validityDays: policy.TemporaryPasswordValidityDays, now });
  const user: UserRecord = {
    id: newRecordId(),
    username,
    sub: attributes.sub ?? randomUUID(),
    attributes,
    enabled: true,
    status: 'FORCE_CHANGE_PASSWORD',
    createdAt: now,
    modifiedAt: now,
    password,
  };
  delete user.attributes.sub;

  await withPool(pool.id, () =>
    services.vault.write(pool.id, async (records) => {
      const current = await loadPool(records);
      if (input.forceAliasCreation) await releaseAliases(records, current, user, now);
      await saveUser(records, current, user);
    }),
  );
  if (input.messageAction !== 'SUPPRESS') await sendInvitation(services, pool, user, temporaryPassword, input.deliveryMediums, now);
  return user;
}

async function resendInvitation(services: UserPoolServices, pool: UserPoolRecord, input: AdminCreateUserInput, temporaryPassword: string, now: number): Promise<UserRecord> {
  const policy = passwordPolicyOf(pool.settings);
  const updated = await changeUserPassword(
    services,
    pool.id,
    input.username,
    async (user) => {
      refuseResend(user);
      return storePassword(pool.id, user.username, temporaryPassword, { temporary: true, validityDays: policy.TemporaryPasswordValidityDays, now });
    },
    (user, password) => {
      refuseResend(user);
      return { ...user, password };
    },
  );
  await sendInvitation(services, pool, updated, temporaryPassword, input.deliveryMediums, now);
  return updated;
}

/** RESEND is for a user who has not chosen a password yet. */
function refuseResend(user: UserRecord): void {
  if (user.status !== 'FORCE_CHANGE_PASSWORD') throw new UnsupportedUserStateException('Resend not possible. User is not in FORCE_CHANGE_PASSWORD state.');
}

async function sendInvitation(services: UserPoolServices, pool: UserPoolRecord, user: UserRecord, temporaryPassword: string, mediums: Array<'SMS' | 'EMAIL'>, now: number): Promise<void> {
  const template = pool.settings.AdminCreateUserConfig?.InviteMessageTemplate;
  const values = { username: user.username, code: temporaryPassword };
  for (const channel of mediums.length ? mediums : (['SMS'] as const)) {
    const destination = channel === 'EMAIL' ? user.attributes.email : user.attributes.phone_number;
    if (!destination) continue;
    await services.messages.send({
      poolId: pool.id,
      channel,
      destination,
      username: user.username,
      purpose: 'invitation',
      code: temporaryPassword,
      subject: channel === 'EMAIL' ? (template?.EmailSubject ?? DEFAULT_INVITATION.subject) : undefined,
      body: fillTemplate((channel === 'EMAIL' ? template?.EmailMessage : template?.SMSMessage) ?? DEFAULT_INVITATION.body, values),
      at: now,
    });
  }
}
