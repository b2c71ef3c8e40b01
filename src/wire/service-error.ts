/**
 * Base of every error that reaches a client in a protocol's own shape. `type` is the wire name
 * (`__type` in AWS JSON, `error` in OAuth); subclasses are declared once per protocol with
 * `declareError` so the constant's name, the class and the wire type are the same word.
 */
export class ServiceError extends Error {
  constructor(readonly type: string, message: string, readonly statusCode: number) {
    super(message);
    this.name = type;
  }
}

export type ServiceErrorClass = new (message: string) => ServiceError;

export function declareError(type: string, statusCode = 400): ServiceErrorClass {
  return class extends ServiceError {
    constructor(message: string) {
      super(type, message, statusCode);
    }
  };
}
