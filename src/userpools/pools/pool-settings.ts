import { z } from 'zod';
import { tagsShape } from '../shared/input-shapes.ts';

/**
 * The settings of a user pool that CreateUserPool and UpdateUserPool both accept, as in the
 * Cognito API reference (CreateUserPool, UpdateUserPool). Stored as given (encrypted) and
 * returned by DescribeUserPool with Cognito's defaults filled in.
 */
const messageTemplateShape = z.object({
  SMSMessage: z.string().min(6).max(140).optional(),
  EmailMessage: z.string().min(6).max(20000).optional(),
  EmailSubject: z.string().min(1).max(140).optional(),
});

export const passwordPolicyShape = z.object({
  MinimumLength: z.number().int().min(6).max(99).optional(),
  RequireUppercase: z.boolean().optional(),
  RequireLowercase: z.boolean().optional(),
  RequireNumbers: z.boolean().optional(),
  RequireSymbols: z.boolean().optional(),
  PasswordHistorySize: z.number().int().min(0).max(24).optional(),
  TemporaryPasswordValidityDays: z.number().int().min(0).max(365).optional(),
});

const verifiedAttributeShape = z.enum(['phone_number', 'email']);

export const poolSettingsShape = z.object({
  Policies: z
    .object({
      PasswordPolicy: passwordPolicyShape.optional(),
      SignInPolicy: z.object({ AllowedFirstAuthFactors: z.array(z.enum(['PASSWORD', 'EMAIL_OTP', 'SMS_OTP', 'WEB_AUTHN'])).optional() }).optional(),
    })
    .optional(),
  DeletionProtection: z.enum(['ACTIVE', 'INACTIVE']).optional(),
  LambdaConfig: z.record(z.string(), z.union([z.string().max(2048), z.record(z.string(), z.string())])).optional(),
  AutoVerifiedAttributes: z.array(verifiedAttributeShape).max(2).optional(),
  SmsVerificationMessage: z.string().min(6).max(140).optional(),
  EmailVerificationMessage: z.string().min(6).max(20000).optional(),
  EmailVerificationSubject: z.string().min(1).max(140).optional(),
  VerificationMessageTemplate: z
    .object({
      SmsMessage: z.string().min(6).max(140).optional(),
      EmailMessage: z.string().min(6).max(20000).optional(),
      EmailSubject: z.string().min(1).max(140).optional(),
      EmailMessageByLink: z.string().min(6).max(20000).optional(),
      EmailSubjectByLink: z.string().min(1).max(140).optional(),
      DefaultEmailOption: z.enum(['CONFIRM_WITH_LINK', 'CONFIRM_WITH_CODE']).optional(),
    })
    .optional(),
  SmsAuthenticationMessage: z.string().min(6).max(140).optional(),
  UserAttributeUpdateSettings: z.object({ AttributesRequireVerificationBeforeUpdate: z.array(verifiedAttributeShape).optional() }).optional(),
  MfaConfiguration: z.enum(['OFF', 'ON', 'OPTIONAL']).optional(),
  DeviceConfiguration: z
    .object({ ChallengeRequiredOnNewDevice: z.boolean().optional(), DeviceOnlyRememberedOnUserPrompt: z.boolean().optional() })
    .optional(),
  EmailConfiguration: z
    .object({
      SourceArn: z.string().max(2048).optional(),
      ReplyToEmailAddress: z.string().max(256).optional(),
      EmailSendingAccount: z.enum(['COGNITO_DEFAULT', 'DEVELOPER']).optional(),
      From: z.string().max(256).optional(),
      ConfigurationSet: z.string().max(64).optional(),
    })
    .optional(),
  SmsConfiguration: z
    .object({ SnsCallerArn: z.string().max(2048), ExternalId: z.string().optional(), SnsRegion: z.string().optional() })
    .optional(),
  UserPoolTags: tagsShape,
  AdminCreateUserConfig: z
    .object({
      AllowAdminCreateUserOnly: z.boolean().optional(),
      UnusedAccountValidityDays: z.number().int().min(0).max(365).optional(),
      InviteMessageTemplate: messageTemplateShape.optional(),
    })
    .optional(),
  UserPoolAddOns: z
    .object({ AdvancedSecurityMode: z.enum(['OFF', 'AUDIT', 'ENFORCED']), AdvancedSecurityAdditionalFlows: z.object({ CustomAuthMode: z.enum(['AUDIT', 'ENFORCED']).optional() }).optional() })
    .optional(),
  AccountRecoverySetting: z
    .object({
      RecoveryMechanisms: z
        .array(z.object({ Priority: z.number().int().min(1).max(2), Name: z.enum(['verified_email', 'verified_phone_number', 'admin_only']) }))
        .min(1)
        .max(2)
        .optional(),
    })
    .optional(),
  UserPoolTier: z.enum(['LITE', 'ESSENTIALS', 'PLUS']).optional(),
  KeyConfiguration: z
    .object({ KeyType: z.enum(['AWS_OWNED_KEY', 'CUSTOMER_MANAGED_KEY']).optional(), KmsKeyArn: z.string().min(1).max(2048).optional() })
    .optional(),
  IssuerConfiguration: z.object({ Type: z.enum(['ORIGINAL', 'UPDATED']).optional() }).optional(),
});

export type PoolSettings = z.infer<typeof poolSettingsShape>;
export type PasswordPolicy = Required<Omit<z.infer<typeof passwordPolicyShape>, 'PasswordHistorySize'>> & { PasswordHistorySize?: number };

/** Cognito's defaults (CreateUserPool API reference). */
export const DEFAULT_PASSWORD_POLICY: PasswordPolicy = {
  MinimumLength: 8,
  RequireUppercase: true,
  RequireLowercase: true,
  RequireNumbers: true,
  RequireSymbols: true,
  TemporaryPasswordValidityDays: 7,
};

export function passwordPolicyOf(settings: PoolSettings): PasswordPolicy {
  return { ...DEFAULT_PASSWORD_POLICY, ...settings.Policies?.PasswordPolicy };
}

/** Settings with Cognito's defaults applied, as DescribeUserPool shows them. */
export function settingsWithDefaults(settings: PoolSettings): PoolSettings {
  return {
    ...settings,
    Policies: { ...settings.Policies, PasswordPolicy: passwordPolicyOf(settings) },
    DeletionProtection: settings.DeletionProtection ?? 'INACTIVE',
    LambdaConfig: settings.LambdaConfig ?? {},
    MfaConfiguration: settings.MfaConfiguration ?? 'OFF',
    EmailConfiguration: settings.EmailConfiguration ?? { EmailSendingAccount: 'COGNITO_DEFAULT' },
    AdminCreateUserConfig: {
      AllowAdminCreateUserOnly: false,
      UnusedAccountValidityDays: passwordPolicyOf(settings).TemporaryPasswordValidityDays,
      ...settings.AdminCreateUserConfig,
    },
    UserPoolTags: settings.UserPoolTags ?? {},
    VerificationMessageTemplate: { DefaultEmailOption: 'CONFIRM_WITH_CODE', ...settings.VerificationMessageTemplate },
    UserPoolTier: settings.UserPoolTier ?? 'ESSENTIALS',
    KeyConfiguration: settings.KeyConfiguration ?? { KeyType: 'AWS_OWNED_KEY' },
    IssuerConfiguration: settings.IssuerConfiguration ?? { Type: 'ORIGINAL' },
  };
}
