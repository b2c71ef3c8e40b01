import type { KmsPrincipal } from '../principal.ts';
import { globPattern, type KeyPolicy, type PolicyCondition, type PolicyStatement } from './policy-document.ts';

/**
 * IAM policy evaluation for one request against one key policy (IAM User Guide, "Policy
 * evaluation logic"): an explicit Deny in any applicable statement wins; otherwise an applicable
 * Allow allows; otherwise the request is implicitly denied.
 */
export type PolicyDecision = 'allow' | 'explicit-deny' | 'implicit-deny';

export interface AuthorizationRequest {
  principal: KmsPrincipal;
  /** `kms:<Operation>` */
  action: string;
  /** The key ARN. */
  resource: string;
  /** Condition keys present in the request, lower-cased, each with its values. */
  conditionKeys: ReadonlyMap<string, readonly string[]>;
}

export function evaluatePolicy(policy: KeyPolicy, request: AuthorizationRequest): PolicyDecision {
  let allowed = false;
  for (const statement of policy.statements) {
    if (!applies(statement, request)) continue;
    if (statement.effect === 'Deny') return 'explicit-deny';
    allowed = true;
  }
  return allowed ? 'allow' : 'implicit-deny';
}

function applies(statement: PolicyStatement, request: AuthorizationRequest): boolean {
  if (!statement.actions || !statement.resources) return false;
  if (!principalMatches(statement, request.principal)) return false;
  const actionListed = statement.actions.patterns.some((pattern) => pattern.test(request.action));
  if (actionListed === statement.actions.negated) return false;
  if (!statement.resources.some((pattern) => pattern.test(request.resource))) return false;
  return statement.conditions.every((condition) => conditionHolds(condition, request.conditionKeys));
}

function principalMatches(statement: PolicyStatement, principal: KmsPrincipal): boolean {
  const { everyone, aws, services } = statement.principal;
  if (everyone) return true;
  if ('arn' in principal) return aws.includes('*') || aws.includes(principal.arn);
  return services.includes(principal.service);
}

/**
 * One condition: the key's values in the request against the condition's values (any of them).
 * A key absent from the request fails positive operators and satisfies negated ones, as IAM
 * does; `IfExists` makes absence satisfy any operator; ForAllValues is satisfied by absence.
 */
function conditionHolds(condition: PolicyCondition, keys: ReadonlyMap<string, readonly string[]>): boolean {
  const present = keys.get(condition.key) ?? [];
  const negated = condition.operator.startsWith('StringNot');
  if (present.length === 0) {
    if (condition.ifExists || condition.set === 'ForAllValues') return true;
    return negated && condition.set === null;
  }
  const matchesAny = (value: string) => condition.values.some((expected) => valueMatches(condition.operator, expected, value));
  if (condition.set === 'ForAllValues') return present.every((value) => (negated ? !matchesAny(value) : matchesAny(value)));
  if (negated) return condition.set === 'ForAnyValue' ? present.some((value) => !matchesAny(value)) : present.every((value) => !matchesAny(value));
  return present.some(matchesAny);
}

function valueMatches(operator: PolicyCondition['operator'], expected: string, actual: string): boolean {
  switch (operator) {
    case 'StringEquals':
    case 'StringNotEquals':
      return expected === actual;
    case 'StringEqualsIgnoreCase':
    case 'StringNotEqualsIgnoreCase':
      return expected.toLowerCase() === actual.toLowerCase();
    case 'StringLike':
    case 'StringNotLike':
      return globPattern(expected, false).test(actual);
  }
}
