import { declareError } from './service-error.ts';

/**
 * Errors common to every AWS JSON 1.1 service, raised by the dispatcher itself before any service
 * code runs (authentication, framing). Names and statuses as AWS returns them.
 */
export const UnrecognizedClientException = declareError('UnrecognizedClientException', 400);
export const InvalidSignatureException = declareError('InvalidSignatureException', 400);
export const UnknownOperationException = declareError('UnknownOperationException', 400);
export const SerializationException = declareError('SerializationException', 400);
export const RequestEntityTooLargeException = declareError('RequestEntityTooLargeException', 413);
