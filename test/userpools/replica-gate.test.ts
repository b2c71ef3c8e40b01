import assert from 'node:assert/strict';
import { test } from 'node:test';
import { userPoolActions } from '../../src/userpools/actions.ts';
import { replicaUseOf } from '../../src/userpools/replicas/replica-gate.ts';

test('every Cognito action has a secondary-replica rule, and the sign-in set is exactly what a secondary serves', () => {
  const uses = new Map(userPoolActions.map((action) => [action.name, replicaUseOf(action.name)]));
  const signIn = [...uses].filter(([, use]) => use === 'sign-in').map(([name]) => name).sort();
  assert.deepEqual(signIn, ['AdminInitiateAuth', 'AdminRespondToAuthChallenge', 'AdminUserGlobalSignOut', 'GetUser', 'GlobalSignOut', 'InitiateAuth', 'RespondToAuthChallenge', 'RevokeToken']);
  for (const write of ['SignUp', 'ConfirmSignUp', 'ForgotPassword', 'ConfirmForgotPassword', 'ChangePassword', 'UpdateUserAttributes', 'DeleteUser', 'AdminCreateUser', 'AdminSetUserPassword', 'CreateGroup', 'CreateUserPoolClient', 'DeleteUserPool', 'CreateUserPoolDomain']) {
    assert.equal(uses.get(write), 'write', write);
  }
  for (const read of ['DescribeUserPool', 'ListUsers', 'AdminGetUser', 'ListGroups', 'DescribeUserPoolClient']) assert.equal(uses.get(read), 'read', read);
  for (const replica of ['CreateUserPoolReplica', 'ListUserPoolReplicas', 'UpdateUserPoolReplica', 'DeleteUserPoolReplica', 'UpdateUserPool']) assert.equal(uses.get(replica), 'replica', replica);
});
