import { InvalidParameterException } from '../errors.ts';

/**
 * Token lifetimes of an app client: AccessTokenValidity, IdTokenValidity and RefreshTokenValidity
 * with their TokenValidityUnits (Cognito API reference, CreateUserPoolClient and
 * TokenValidityUnitsType).
 */
export const TIME_UNITS = ['seconds', 'minutes', 'hours', 'days'] as const;
export type TimeUnit = (typeof TIME_UNITS)[number];
export type TokenKind = 'AccessToken' | 'IdToken' | 'RefreshToken';

const SECONDS_PER_UNIT: Record<TimeUnit, number> = { seconds: 1, minutes: 60, hours: 3_600, days: 86_400 };

interface TokenRule {
  field: 'AccessTokenValidity' | 'IdTokenValidity' | 'RefreshTokenValidity';
  /** The unit of a value sent without TokenValidityUnits: hours for access and ID, days for refresh. */
  unitWhenOmitted: TimeUnit;
  /** What a client gets when it sets no value: one hour, one hour, 30 days. */
  defaultValidity: { value: number; unit: TimeUnit };
  /** TokenValidityUnitsType: access and ID 5 minutes to 1 day, refresh 60 minutes to 10 years. */
  minimumSeconds: number;
  maximumSeconds: number;
}

const TOKEN_RULES: Record<TokenKind, TokenRule> = {
  AccessToken: { field: 'AccessTokenValidity', unitWhenOmitted: 'hours', defaultValidity: { value: 60, unit: 'minutes' }, minimumSeconds: 300, maximumSeconds: 86_400 },
  IdToken: { field: 'IdTokenValidity', unitWhenOmitted: 'hours', defaultValidity: { value: 60, unit: 'minutes' }, minimumSeconds: 300, maximumSeconds: 86_400 },
  RefreshToken: { field: 'RefreshTokenValidity', unitWhenOmitted: 'days', defaultValidity: { value: 30, unit: 'days' }, minimumSeconds: 3_600, maximumSeconds: 3_650 * 86_400 },
};

export interface TokenValidityInput {
  RefreshTokenValidity?: number;
  AccessTokenValidity?: number;
  IdTokenValidity?: number;
  TokenValidityUnits?: Partial<Record<TokenKind, TimeUnit>>;
}

/** The three lifetimes as stored and described: every value present, every unit explicit. */
export interface TokenValiditySettings {
  RefreshTokenValidity: number;
  AccessTokenValidity: number;
  IdTokenValidity: number;
  TokenValidityUnits: Record<TokenKind, TimeUnit>;
}

/**
 * Applies defaults and units and enforces the ranges, raising Cognito's
 * "Invalid range for token validity." for a lifetime outside them.
 */
export function resolveTokenValidity(input: TokenValidityInput): TokenValiditySettings {
  const access = resolveOne('AccessToken', input);
  const id = resolveOne('IdToken', input);
  const refresh = resolveOne('RefreshToken', input);
  return {
    RefreshTokenValidity: refresh.value,
    AccessTokenValidity: access.value,
    IdTokenValidity: id.value,
    TokenValidityUnits: { AccessToken: access.unit, IdToken: id.unit, RefreshToken: refresh.unit },
  };
}

/** A token's lifetime in seconds, for the code that issues tokens. */
export function validitySeconds(settings: TokenValiditySettings, kind: TokenKind): number {
  return settings[TOKEN_RULES[kind].field] * SECONDS_PER_UNIT[settings.TokenValidityUnits[kind]];
}

/**
 * A value left out takes the default in the default's own unit: a unit sent without its value has
 * nothing to measure. RefreshTokenValidity 0 also means the default ("You can't set
 * RefreshTokenValidity to 0. If you do, Amazon Cognito overrides the value with the default value
 * of 30 days."); access and ID tokens cannot be 0 (the model's minimum is 1).
 */
function resolveOne(kind: TokenKind, input: TokenValidityInput): { value: number; unit: TimeUnit } {
  const rule = TOKEN_RULES[kind];
  const value = input[rule.field];
  if (value === undefined || value === 0) return { ...rule.defaultValidity };
  const unit = input.TokenValidityUnits?.[kind] ?? rule.unitWhenOmitted;
  const seconds = value * SECONDS_PER_UNIT[unit];
  if (seconds < rule.minimumSeconds || seconds > rule.maximumSeconds) {
    throw new InvalidParameterException('Invalid range for token validity.');
  }
  return { value, unit };
}
