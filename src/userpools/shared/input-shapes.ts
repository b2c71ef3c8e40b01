import { z } from 'zod';
import { CLIENT_ID_PATTERN, USER_POOL_ID_PATTERN } from './identifiers.ts';

/**
 * Input fragments shared by several Cognito actions, with the limits of the Cognito API
 * reference. Unknown members are stripped, as AWS services ignore them.
 */
export const userPoolIdShape = z.string().min(1).max(55).regex(USER_POOL_ID_PATTERN, 'Member must satisfy regular expression pattern: [\\w-]+_[0-9a-zA-Z]+');
export const clientIdShape = z.string().min(1).max(128).regex(CLIENT_ID_PATTERN, 'Member must satisfy regular expression pattern: [\\w+]+');
export const usernameShape = z.string().min(1).max(128).regex(/^[\p{L}\p{M}\p{S}\p{N}\p{P}]+$/u, 'Member must satisfy regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+');
export const groupNameShape = z.string().min(1).max(128).regex(/^[\p{L}\p{M}\p{S}\p{N}\p{P}]+$/u, 'Member must satisfy regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+');
export const passwordShape = z.string().min(1).max(256);
export const paginationTokenShape = z.string().min(1).max(2048);
export const attributeNameShape = z.string().min(1).max(32).regex(/^[\p{L}\p{M}\p{S}\p{N}\p{P}]+$/u);
export const attributeTypeShape = z.object({ Name: attributeNameShape, Value: z.string().max(2048).optional() });
export const attributeListShape = z.array(attributeTypeShape).max(100);
export const clientMetadataShape = z.record(z.string(), z.string()).optional();
export const tagsShape = z.record(z.string().min(1).max(128), z.string().max(256)).optional();
