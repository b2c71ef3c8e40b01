import { SigningKeysMissing } from '../auth/tokens/signing-keys.ts';
import { ReplicaReadOnly } from '../crypto/encrypted-records.ts';
import { KeyUnusable } from '../crypto/key-provider.ts';
import { PoolMissing } from '../store/store.ts';
import type { AwsJsonService } from '../wire/aws-json-dispatcher.ts';
import { userPoolActions } from './actions.ts';
import { InternalErrorException, InvalidParameterException, InvalidUserPoolConfigurationException, ResourceNotFoundException } from './errors.ts';
import { gatedForReplicas, replicaReadOnlyError } from './replicas/replica-gate.ts';
import type { UserPoolServices } from './services.ts';

/** The Cognito user-pool API (service model 2016-04-18) as served by the AWS JSON dispatcher. */
export function cognitoService(services: UserPoolServices): AwsJsonService<UserPoolServices> {
  return {
    targetPrefix: 'AWSCognitoIdentityProviderService',
    signingName: 'cognito-idp',
    actions: new Map(userPoolActions.map((action) => [action.name, gatedForReplicas(action)])),
    services,
    validationError: (message) => new InvalidParameterException(message),
    translateError(error) {
      if (error instanceof ReplicaReadOnly) return replicaReadOnlyError(error);
      if (error instanceof PoolMissing) return new ResourceNotFoundException(`User pool ${error.poolId} does not exist.`);
      if (error instanceof KeyUnusable) {
        // A key that no longer exists cannot come back: say the data is gone (crypto-shredding).
        const gone = /does not exist/.test(error.reason) ? ' If the key was deleted, this pool\'s data is permanently unreadable.' : ' Restore access to the key to restore service.';
        return new InvalidUserPoolConfigurationException(`The KMS key of this user pool is unusable (${error.reason}); no data was changed.${gone}`);
      }
      // No request can repair a pool without signing keys: a fault of ours (500, which the
      // dispatcher logs with its cause), not a configuration the caller could change.
      if (error instanceof SigningKeysMissing) return new InternalErrorException('The user pool has no usable signing keys; tokens cannot be issued or verified.');
      return null;
    },
    internalError: () => new InternalErrorException('Internal server error.'),
  };
}
