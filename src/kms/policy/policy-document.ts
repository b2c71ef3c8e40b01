import { MalformedPolicyDocumentException, LimitExceededException } from '../errors.ts';

/**
 * Key policy documents (IAM JSON policy grammar as KMS key policies use it): parsed once, validated,
 * and turned into matchers. What Meridian does not evaluate is refused with
 * MalformedPolicyDocumentException instead of being silently ignored, since a statement that
 * evaluated differently from AWS could open a key.
 *
 * Supported: Version 2012-10-17 or 2008-10-17; Statement (object or array) with Sid, Effect
 * Allow|Deny, Principal ("*", {AWS: arn|account id|"*"|[...]}, {Service: name|[...]}), Action or
 * NotAction (wildcards * and ?), Resource ("*" or key ARN patterns), Condition with the String
 * operators (Equals, NotEquals, EqualsIgnoreCase, NotEqualsIgnoreCase, Like, NotLike), their
 * IfExists forms and the ForAnyValue:/ForAllValues: set qualifiers.
 */
export interface KeyPolicy {
  statements: PolicyStatement[];
}

export interface PolicyStatement {
  sid: string | null;
  effect: 'Allow' | 'Deny';
  principal: PrincipalMatcher;
  /** Null when the statement has neither Action nor NotAction: it never applies (KMS docs). */
  actions: { patterns: RegExp[]; negated: boolean } | null;
  /** Null when the statement has no Resource: it never applies. */
  resources: RegExp[] | null;
  conditions: PolicyCondition[];
}

export interface PrincipalMatcher {
  everyone: boolean;
  /** IAM ARNs; an account id is stored as its root ARN. `*` means any AWS principal. */
  aws: string[];
  services: string[];
}

export type StringOperator = 'StringEquals' | 'StringNotEquals' | 'StringEqualsIgnoreCase' | 'StringNotEqualsIgnoreCase' | 'StringLike' | 'StringNotLike';

export interface PolicyCondition {
  operator: StringOperator;
  ifExists: boolean;
  set: 'ForAnyValue' | 'ForAllValues' | null;
  /** Condition key, lower-cased: IAM condition key names are case-insensitive. */
  key: string;
  values: string[];
}

/** KMS's key policy size limit (32 KB). */
export const MAXIMUM_POLICY_LENGTH = 32_768;
const STRING_OPERATORS = new Set<string>(['StringEquals', 'StringNotEquals', 'StringEqualsIgnoreCase', 'StringNotEqualsIgnoreCase', 'StringLike', 'StringNotLike']);
const ACCOUNT_ID = /^\d{12}$/;
const IAM_ARN = /^arn:aws:(iam|sts)::\d{12}:[A-Za-z0-9+=,.@_/*:-]+$/;
const SERVICE_NAME = /^[a-z0-9.-]+\.amazonaws\.com(\.cn)?$/;
const ACTION = /^(\*|kms:[A-Za-z*?]+)$/i;
const STATEMENT_FIELDS = new Set(['Sid', 'Effect', 'Principal', 'Action', 'NotAction', 'Resource', 'Condition']);

function malformed(message: string): never {
  throw new MalformedPolicyDocumentException(message);
}

export function parseKeyPolicy(text: string): KeyPolicy {
  if (text.length > MAXIMUM_POLICY_LENGTH) throw new LimitExceededException(`The key policy exceeds the maximum length of ${MAXIMUM_POLICY_LENGTH} characters.`);
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    malformed('The key policy is not valid JSON.');
  }
  if (!isObject(document)) malformed('The key policy must be a JSON object.');
  for (const field of Object.keys(document)) {
    if (field !== 'Version' && field !== 'Id' && field !== 'Statement') malformed(`The key policy has an unknown element ${field}.`);
  }
  if (document.Version !== undefined && document.Version !== '2012-10-17' && document.Version !== '2008-10-17') {
    malformed('The policy Version must be 2012-10-17 or 2008-10-17.');
  }
  const statements = document.Statement;
  if (statements === undefined) malformed('The key policy has no Statement.');
  const list = Array.isArray(statements) ? statements : [statements];
  if (list.length === 0) malformed('The key policy has no Statement.');
  return { statements: list.map((statement, index) => parseStatement(statement, index)) };
}

function parseStatement(statement: unknown, index: number): PolicyStatement {
  const where = `Statement ${index + 1}`;
  if (!isObject(statement)) malformed(`${where} is not a JSON object.`);
  for (const field of Object.keys(statement)) {
    if (field === 'NotPrincipal' || field === 'NotResource') malformed(`${where}: ${field} is not supported by Meridian's KMS; use Principal or Resource with a Deny statement.`);
    if (!STATEMENT_FIELDS.has(field)) malformed(`${where} has an unknown element ${field}.`);
  }
  if (statement.Sid !== undefined && typeof statement.Sid !== 'string') malformed(`${where}: Sid must be a string.`);
  if (statement.Effect !== 'Allow' && statement.Effect !== 'Deny') malformed(`${where}: Effect must be Allow or Deny.`);
  if (statement.Action !== undefined && statement.NotAction !== undefined) malformed(`${where} has both Action and NotAction.`);
  const actionList = statement.Action ?? statement.NotAction;
  return {
    sid: (statement.Sid as string | undefined) ?? null,
    effect: statement.Effect,
    principal: parsePrincipal(statement.Principal, where),
    actions: actionList === undefined ? null : { patterns: stringList(actionList, `${where} Action`).map((action) => actionPattern(action, where)), negated: statement.Action === undefined },
    resources: statement.Resource === undefined ? null : stringList(statement.Resource, `${where} Resource`).map((resource) => globPattern(resource, false)),
    conditions: statement.Condition === undefined ? [] : parseConditions(statement.Condition, where),
  };
}

function parsePrincipal(principal: unknown, where: string): PrincipalMatcher {
  // KMS requires a principal in every key policy statement.
  if (principal === undefined) malformed(`${where} has no Principal; every key policy statement needs one.`);
  if (principal === '*') return { everyone: true, aws: [], services: [] };
  if (!isObject(principal)) malformed('Policy contains a statement with one or more invalid principals.');
  const matcher: PrincipalMatcher = { everyone: false, aws: [], services: [] };
  for (const [type, value] of Object.entries(principal)) {
    const names = stringList(value, `${where} Principal`);
    if (type === 'AWS') {
      for (const name of names) {
        if (name === '*') matcher.aws.push('*');
        else if (ACCOUNT_ID.test(name)) matcher.aws.push(`arn:aws:iam::${name}:root`);
        else if (IAM_ARN.test(name)) matcher.aws.push(name);
        else malformed('Policy contains a statement with one or more invalid principals.');
      }
    } else if (type === 'Service') {
      for (const name of names) {
        if (!SERVICE_NAME.test(name)) malformed('Policy contains a statement with one or more invalid principals.');
        matcher.services.push(name);
      }
    } else {
      malformed(`${where}: principal type ${type} is not supported (use AWS or Service).`);
    }
  }
  return matcher;
}

function parseConditions(condition: unknown, where: string): PolicyCondition[] {
  if (!isObject(condition)) malformed(`${where}: Condition must be a JSON object.`);
  const conditions: PolicyCondition[] = [];
  for (const [rawOperator, clauses] of Object.entries(condition)) {
    let operator = rawOperator;
    let set: PolicyCondition['set'] = null;
    const qualifier = /^(ForAnyValue|ForAllValues):(.+)$/.exec(operator);
    if (qualifier) {
      set = qualifier[1] as 'ForAnyValue' | 'ForAllValues';
      operator = qualifier[2]!;
    }
    const ifExists = operator.endsWith('IfExists');
    if (ifExists) operator = operator.slice(0, -'IfExists'.length);
    if (!STRING_OPERATORS.has(operator)) malformed(`${where}: condition operator ${rawOperator} is not supported by Meridian's KMS.`);
    if (!isObject(clauses)) malformed(`${where}: condition ${rawOperator} must map condition keys to values.`);
    for (const [key, values] of Object.entries(clauses)) {
      if (!/^[A-Za-z0-9]+:.+$/.test(key)) malformed(`${where}: ${key} is not a condition key.`);
      conditions.push({ operator: operator as StringOperator, ifExists, set, key: key.toLowerCase(), values: conditionValues(values, where) });
    }
  }
  return conditions;
}

function conditionValues(values: unknown, where: string): string[] {
  const list = Array.isArray(values) ? values : [values];
  if (list.length === 0) malformed(`${where}: a condition needs at least one value.`);
  return list.map((value) => {
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    return malformed(`${where}: condition values must be strings.`);
  });
}

function stringList(value: unknown, where: string): string[] {
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0 || !list.every((item): item is string => typeof item === 'string' && item.length > 0)) {
    malformed(`${where} must be a string or a list of strings.`);
  }
  return list;
}

function actionPattern(action: string, where: string): RegExp {
  if (!ACTION.test(action)) malformed(`${where}: ${action} is not a KMS action (kms:<Operation>, wildcards allowed).`);
  // IAM action names are case-insensitive.
  return globPattern(action, true);
}

/** IAM wildcards: `*` any run of characters, `?` one character; everything else literal. */
export function globPattern(pattern: string, ignoreCase: boolean): RegExp {
  const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`, ignoreCase ? 'is' : 's');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
