import { aliasActions } from './alias-actions.ts';
import { auditActions } from './audit-actions.ts';
import { cryptoActions } from './crypto-actions.ts';
import { keyActions } from './key-actions.ts';
import { policyActions } from './policy-actions.ts';
import { replicationActions } from './replication-actions.ts';
import { rotationActions } from './rotation-actions.ts';
import type { KmsAction } from './wire.ts';

/** Every TrentService action this Region serves. */
export const kmsActions: ReadonlyArray<KmsAction> = [...keyActions, ...aliasActions, ...policyActions, ...cryptoActions, ...rotationActions, ...replicationActions, ...auditActions];
