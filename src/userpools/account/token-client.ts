import type { EncryptedRecords } from '../../crypto/encrypted-records.ts';
import type { AuthenticatedUser } from '../auth/access-token.ts';
import type { AppClientRecord } from '../clients/app-client.ts';
import { findClient } from '../clients/client-directory.ts';
import { NotAuthorizedException } from '../errors.ts';

/**
 * The app client an access token was issued to, whose attribute permissions apply. A token of a
 * deleted client is refused rather than read or written without the client's restrictions.
 */
export async function clientOfToken(records: EncryptedRecords, auth: AuthenticatedUser): Promise<AppClientRecord> {
  const client = await findClient(records, auth.clientId);
  if (!client) throw new NotAuthorizedException('Invalid Access Token');
  return client;
}
