import { NotAuthorizedException, UserNotFoundException } from '../errors.ts';

/**
 * The errors the public code actions give for a user that does not exist or is disabled when the
 * client's PreventUserExistenceErrors is LEGACY (Cognito's messages for these actions).
 */
export function userNotFoundForClient(): Error {
  return new UserNotFoundException('Username/client id combination not found.');
}

export function userDisabled(): Error {
  return new NotAuthorizedException('User is disabled.');
}
