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

/**
 * UpdateUserAttributes (Cognito API reference): the signed-in user changes their own attributes
 * under the app client's write permissions and the same schema rules as AdminUpdateUserAttributes
 * (a changed email or phone_number becomes unverified).
 *
 * CodeDeliveryDetailsList lists the verification codes sent for changed email or phone_number.
 * Meridian does not send attribute verification codes yet, so it is always empty.
 */
export const updateUserAttributes = defineAction({
  name: 'UpdateUserAttributes',
  authorization: 'token',
  input: z.object({ AccessToken: tokenShape, UserAttributes: attributeListShape, ClientMetadata: clientMetadataShape }),
  async handle(input, services: UserPoolServices) {
    const auth = await authenticateAccessToken(services, input.AccessToken);
    const changes = attributesToMap(input.UserAttributes);
    await changeSignedInUser(services, auth, async (user, pool, records) => {
      checkWritableAttributes(pool, await clientOfToken(records, auth), Object.keys(changes));
      return applyAttributeChanges(pool, user, changes);
    });
    return { CodeDeliveryDetailsList: [] };
  },
});
