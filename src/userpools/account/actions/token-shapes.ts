import { z } from 'zod';

/**
 * TokenModelType of the Cognito API reference (access and refresh tokens): `[A-Za-z0-9-_=.]+`.
 * The length limit is ours; Cognito's tokens are a few kilobytes at most.
 */
export const tokenShape = z.string().min(1).max(16384).regex(/^[A-Za-z0-9\-_=.]+$/, 'Member must satisfy regular expression pattern: [A-Za-z0-9-_=.]+');
