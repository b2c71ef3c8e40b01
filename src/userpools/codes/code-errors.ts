import { declareError } from '../../wire/service-error.ts';

/**
 * Cognito exceptions that only the code-sending actions raise and that userpools/errors.ts does
 * not declare yet (status 400, as in the service model).
 */
export const CodeDeliveryFailureException = declareError('CodeDeliveryFailureException');
