import type { AwsJsonService } from '../wire/aws-json-dispatcher.ts';
import { kmsActions } from './actions/index.ts';
import type { KmsServices } from './actions/wire.ts';
import { KMSInternalException, ValidationException } from './errors.ts';

/**
 * The KMS API (TrentService, service model 2014-11-01) on the shared AWS JSON 1.1 route. Domain
 * code throws the KMS errors itself (errors.ts), so there is nothing further to translate: any
 * other error is a fault, answered KMSInternalException without details.
 */
export function kmsService(services: KmsServices): AwsJsonService<KmsServices> {
  return {
    targetPrefix: 'TrentService',
    signingName: 'kms',
    actions: new Map(kmsActions.map((action) => [action.name, action])),
    services,
    validationError: (message) => new ValidationException(message),
    translateError: () => null,
    internalError: () => new KMSInternalException('Internal error in the key service.'),
  };
}
