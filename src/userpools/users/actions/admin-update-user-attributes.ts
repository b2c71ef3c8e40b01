import { z } from 'zod';
import { defineAction } from '../../../wire/aws-json-action.ts';
import type { UserPoolServices } from '../../services.ts';
import { attributeListShape, clientMetadataShape, userPoolIdShape, usernameShape } from '../../shared/input-shapes.ts';
import { sendAttributeCodeForAdminChange, sendCodesAfterUpdate } from '../../account/attribute-verification.ts';
import type { UserPoolRecord } from '../../pools/user-pool.ts';
import { attributesToMap } from '../user-attributes.ts';
import { applyAttributeChanges, changeUser } from '../user-changes.ts';
import type { UserRecord } from '../user-record.ts';

/**
 * AdminUpdateUserAttributes: the attribute rules of applyAttributeChanges; a changed email or
 * phone_number that the pool auto-verifies, and that the call does not mark verified itself, gets
 * a verification code, as Cognito sends one (the user redeems it with VerifyUserAttribute).
 */
export const adminUpdateUserAttributes = defineAction({
  name: 'AdminUpdateUserAttributes',
  authorization: 'iam',
  input: z.object({ UserPoolId: userPoolIdShape, Username: usernameShape, UserAttributes: attributeListShape, ClientMetadata: clientMetadataShape }),
  async handle(input, services: UserPoolServices) {
    const changes = attributesToMap(input.UserAttributes);
    let before: UserRecord | undefined;
    let pool: UserPoolRecord | undefined;
    const after = await changeUser(services, input.UserPoolId, input.Username, (user, latestPool) => {
      [before, pool] = [user, latestPool];
      return applyAttributeChanges(latestPool, user, changes);
    });
    await sendCodesAfterUpdate(pool!, before!, after, (attribute) => sendAttributeCodeForAdminChange(services, input.UserPoolId, after.id, attribute));
    return {};
  },
});
