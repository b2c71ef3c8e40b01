import { InvalidParameterException } from '../errors.ts';
import type { UserPoolServices } from '../services.ts';
import type { ClientContext } from './client-access.ts';
import { required } from './initiate-auth.ts';
import { answerNewPassword } from './new-password.ts';
import type { AuthResponse } from './sign-in.ts';
import { finishSrpSignIn } from './srp-sign-in.ts';

/** RespondToAuthChallenge and AdminRespondToAuthChallenge. */
export async function respondToChallenge(
  services: UserPoolServices,
  context: ClientContext,
  request: { challenge: string; responses: Record<string, string>; session?: string },
): Promise<AuthResponse> {
  const { pool, client } = context;
  const responses = request.responses;
  // Checked against the user of the challenge, once its session is open (checkChallengeResponder).
  const responder = { username: required(responses, 'USERNAME'), secretHash: responses.SECRET_HASH };

  switch (request.challenge) {
    case 'PASSWORD_VERIFIER':
      return services.vault.read(pool.id, (records) =>
        finishSrpSignIn(services, records, pool, client, {
          secretBlock: required(responses, 'PASSWORD_CLAIM_SECRET_BLOCK'),
          signature: required(responses, 'PASSWORD_CLAIM_SIGNATURE'),
          timestamp: required(responses, 'TIMESTAMP'),
          responder,
        }),
      );
    case 'NEW_PASSWORD_REQUIRED': {
      if (!request.session) throw new InvalidParameterException('Missing required parameter Session');
      const attributes: Record<string, string> = {};
      for (const [name, value] of Object.entries(responses)) {
        if (name.startsWith('userAttributes.')) attributes[name.slice('userAttributes.'.length)] = value;
      }
      return answerNewPassword(services, pool, client, { session: request.session, newPassword: required(responses, 'NEW_PASSWORD'), attributes, responder });
    }
    default:
      throw new InvalidParameterException(`Challenge ${request.challenge} is not supported.`);
  }
}
