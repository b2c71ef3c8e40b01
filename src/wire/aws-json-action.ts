import type { z } from 'zod';

/**
 * How an AWS JSON action is authorized (Cognito's three models; KMS uses only `iam`):
 * `iam` needs a valid SigV4 signature, `public` needs nothing, `token` carries an access token in
 * its body that the action itself verifies.
 */
export type Authorization = 'iam' | 'public' | 'token';

export interface Principal {
  accessKeyId: string;
  /** IAM-style ARN the caller acts as, e.g. `arn:aws:iam::<account>:root`. */
  arn: string;
}

export interface RequestContext {
  requestId: string;
  /** Present exactly when the request carried a valid SigV4 signature. */
  principal: Principal | null;
  sourceIp: string;
  userAgent: string;
  /**
   * The pool the input's ClientId routes to, when a wrapper already looked it up for this request
   * (the replica gate), so the action need not look it up again.
   */
  clientPoolId?: string;
}

/** An action as the dispatcher sees it: `handle` receives what `input` parsed. */
export interface AwsJsonAction<Services> {
  name: string;
  authorization: Authorization;
  input: z.ZodType;
  handle(input: unknown, services: Services, context: RequestContext): Promise<unknown>;
}

/** Declares an action; infers the handler's input type from its schema. */
export function defineAction<Services, Schema extends z.ZodType, Output>(action: {
  name: string;
  authorization: Authorization;
  input: Schema;
  handle(input: z.infer<Schema>, services: Services, context: RequestContext): Promise<Output>;
}): AwsJsonAction<Services> {
  return action as AwsJsonAction<Services>;
}
