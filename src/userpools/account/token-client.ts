import type { EncryptedRecords } from '../../crypto/encrypted-records.ts';
import type { AuthenticatedUser } from '../auth/access-token.ts';
import { APP_CLIENT_RECORD_KIND, type AppClientRecord } from '../clients/app-client.ts';
import { NotAuthorizedException } from '../errors.ts';

/**
 * The app client an access token was issued to, whose attribute permissions apply. A token of a
 * deleted client is refused rather than read or written without the client's restrictions.
 */
export async function clientOfToken(records: EncryptedRecords, auth: AuthenticatedUser): Promise<AppClientRecord> {
  const client = await records.get<AppClientRecord>(APP_CLIENT_RECORD_KIND, auth.clientId);
  if (!client) throw new NotAuthorizedException('Invalid Access Token');
  return client;
}
