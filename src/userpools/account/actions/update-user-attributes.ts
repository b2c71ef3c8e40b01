import { z } from 'zod';
import { defineAction } from '../../../wire/aws-json-action.ts';
import { authenticateAccessToken } from '../../auth/access-token.ts';
import type { UserPoolServices } from '../../services.ts';
import { attributeListShape, clientMetadataShape } from '../../shared/input-shapes.ts';
import { attributesToMap } from '../../users/user-attributes.ts';
import { applyAttributeChanges } from '../../users/user-changes.ts';
import { checkWritableAttributes } from '../attribute-permissions.ts';
import { changeSignedInUser } from '../signed-in-user.ts';
import { clientOfToken } from '../token-client.ts';
import { tokenShape } from './token-shapes.ts';
import type { UserPoolRecord } from '../../pools/user-pool.ts';
import type { UserRecord } from '../../users/user-record.ts';
import { sendAttributeCode, sendCodesAfterUpdate } from '../attribute-verification.ts';

/**
 * UpdateUserAttributes (Cognito API reference): the signed-in user changes their own attributes
 * under the app client's write permissions and the same schema rules as AdminUpdateUserAttributes
 * (a changed email or phone_number becomes unverified). A changed email or phone_number that the
 * pool auto-verifies gets a code (VerifyUserAttribute redeems it), listed in
 * CodeDeliveryDetailsList, as Cognito does; sent after the change commits, and left out when over
 * the hourly code limit or undeliverable (sendCodesAfterUpdate).
 */
export const updateUserAttributes = defineAction({
  name: 'UpdateUserAttributes',
  authorization: 'token',
  input: z.object({ AccessToken: tokenShape, UserAttributes: attributeListShape, ClientMetadata: clientMetadataShape }),
  async handle(input, services: UserPoolServices) {
    const auth = await authenticateAccessToken(services, input.AccessToken);
    const changes = attributesToMap(input.UserAttributes);
    let before: UserRecord | undefined;
    let pool: UserPoolRecord | undefined;
    const after = await changeSignedInUser(services, auth, async (user, latestPool, records) => {
      checkWritableAttributes(latestPool, await clientOfToken(records, auth), Object.keys(changes));
      [before, pool] = [user, latestPool];
      return applyAttributeChanges(latestPool, user, changes);
    });
    return { CodeDeliveryDetailsList: await sendCodesAfterUpdate(pool!, before!, after, (attribute) => sendAttributeCode(services, auth, attribute, { limited: true })) };
  },
});
