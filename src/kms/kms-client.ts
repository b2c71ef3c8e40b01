import type { EncryptionContext } from '../crypto/key-provider.ts';
import type { KeyState, RotationType, Tag } from './key-model.ts';

/**
 * The typed, in-process KMS client: the same operations, field names and errors (the classes in
 * errors.ts, whose `type` is the wire `__type`) as `@aws-sdk/client-kms`, with Buffers for blobs and
 * Dates for timestamps. Obtain one bound to a principal with `KeyService.asPrincipal(...)`:
 *
 *   const kms = keys.asPrincipal({ service: 'cognito-idp.amazonaws.com' });
 *   const { Plaintext, CiphertextBlob } = await kms.generateDataKey({ KeyId: arn, KeySpec: 'AES_256', EncryptionContext: { userPoolId } });
 *
 * Every call is authorized by the key policy and written to the audit log, exactly as a call
 * over the wire.
 */
export type { Tag, KeyState } from './key-model.ts';
export type EncryptionAlgorithm = 'SYMMETRIC_DEFAULT';

export interface MultiRegionKeyEntry {
  Arn: string;
  Region: string;
}

export interface KeyMetadata {
  AWSAccountId: string;
  KeyId: string;
  Arn: string;
  CreationDate: Date;
  Enabled: boolean;
  Description: string;
  KeyUsage: 'ENCRYPT_DECRYPT';
  KeyState: KeyState;
  DeletionDate?: Date;
  Origin: 'AWS_KMS';
  KeyManager: 'CUSTOMER';
  CustomerMasterKeySpec: 'SYMMETRIC_DEFAULT';
  KeySpec: 'SYMMETRIC_DEFAULT';
  EncryptionAlgorithms: EncryptionAlgorithm[];
  MultiRegion: boolean;
  MultiRegionConfiguration?: {
    MultiRegionKeyType: 'PRIMARY' | 'REPLICA';
    PrimaryKey: MultiRegionKeyEntry;
    ReplicaKeys: MultiRegionKeyEntry[];
  };
  PendingDeletionWindowInDays?: number;
  CurrentKeyMaterialId: string;
}

export interface Page {
  Limit?: number;
  Marker?: string;
}

export interface PageResult {
  Truncated: boolean;
  NextMarker?: string;
}

export interface CreateKeyInput {
  Policy?: string;
  Description?: string;
  KeyUsage?: string;
  KeySpec?: string;
  CustomerMasterKeySpec?: string;
  Origin?: string;
  CustomKeyStoreId?: string;
  XksKeyId?: string;
  BypassPolicyLockoutSafetyCheck?: boolean;
  Tags?: Tag[];
  MultiRegion?: boolean;
}

export interface KeyIdInput {
  KeyId: string;
}

export interface AliasListEntry {
  AliasName: string;
  AliasArn: string;
  TargetKeyId: string;
  CreationDate: Date;
  LastUpdatedDate: Date;
}

export interface EncryptInput {
  KeyId: string;
  Plaintext: Uint8Array;
  EncryptionContext?: EncryptionContext;
  EncryptionAlgorithm?: string;
}

export interface DecryptInput {
  CiphertextBlob: Uint8Array;
  EncryptionContext?: EncryptionContext;
  KeyId?: string;
  EncryptionAlgorithm?: string;
}

export interface GenerateDataKeyInput {
  KeyId: string;
  EncryptionContext?: EncryptionContext;
  NumberOfBytes?: number;
  KeySpec?: string;
}

export interface ReEncryptInput {
  CiphertextBlob: Uint8Array;
  SourceEncryptionContext?: EncryptionContext;
  SourceKeyId?: string;
  DestinationKeyId: string;
  DestinationEncryptionContext?: EncryptionContext;
  SourceEncryptionAlgorithm?: string;
  DestinationEncryptionAlgorithm?: string;
}

export interface ReEncryptOutput {
  CiphertextBlob: Buffer;
  SourceKeyId: string;
  KeyId: string;
  SourceEncryptionAlgorithm: EncryptionAlgorithm;
  DestinationEncryptionAlgorithm: EncryptionAlgorithm;
  SourceKeyMaterialId: string;
  DestinationKeyMaterialId: string;
}

export interface ScheduleKeyDeletionOutput {
  KeyId: string;
  DeletionDate: Date;
  KeyState: KeyState;
  PendingWindowInDays: number;
}

export interface KeyRotationStatus {
  KeyId: string;
  KeyRotationEnabled: boolean;
  RotationPeriodInDays?: number;
  NextRotationDate?: Date;
  OnDemandRotationStartDate?: Date;
}

export interface RotationsListEntry {
  KeyId: string;
  KeyMaterialId: string;
  RotationDate: Date;
  RotationType: RotationType;
}

export interface ReplicateKeyInput {
  KeyId: string;
  ReplicaRegion: string;
  Policy?: string;
  BypassPolicyLockoutSafetyCheck?: boolean;
  Description?: string;
  Tags?: Tag[];
}

export interface ReplicateKeyOutput {
  ReplicaKeyMetadata: KeyMetadata;
  ReplicaPolicy: string;
  ReplicaTags: Tag[];
}

export interface AuditEventEntry {
  EventTime: Date;
  RequestId: string;
  Principal: string;
  Action: string;
  KeyId?: string;
  EncryptionContext?: EncryptionContext;
  /** `success`, or the error type the caller received. */
  Outcome: string;
}

export interface ListAuditEventsInput extends Page {
  KeyId?: string;
  Action?: string;
  Since?: Date;
}

export interface KmsClient {
  createKey(input: CreateKeyInput): Promise<{ KeyMetadata: KeyMetadata }>;
  describeKey(input: KeyIdInput): Promise<{ KeyMetadata: KeyMetadata }>;
  listKeys(input: Page): Promise<PageResult & { Keys: Array<{ KeyId: string; KeyArn: string }> }>;
  updateKeyDescription(input: KeyIdInput & { Description: string }): Promise<Record<string, never>>;
  enableKey(input: KeyIdInput): Promise<Record<string, never>>;
  disableKey(input: KeyIdInput): Promise<Record<string, never>>;
  scheduleKeyDeletion(input: KeyIdInput & { PendingWindowInDays?: number }): Promise<ScheduleKeyDeletionOutput>;
  cancelKeyDeletion(input: KeyIdInput): Promise<{ KeyId: string }>;

  tagResource(input: KeyIdInput & { Tags: Tag[] }): Promise<Record<string, never>>;
  untagResource(input: KeyIdInput & { TagKeys: string[] }): Promise<Record<string, never>>;
  listResourceTags(input: KeyIdInput & Page): Promise<PageResult & { Tags: Tag[] }>;

  createAlias(input: { AliasName: string; TargetKeyId: string }): Promise<Record<string, never>>;
  updateAlias(input: { AliasName: string; TargetKeyId: string }): Promise<Record<string, never>>;
  deleteAlias(input: { AliasName: string }): Promise<Record<string, never>>;
  listAliases(input: Page & { KeyId?: string }): Promise<PageResult & { Aliases: AliasListEntry[] }>;

  getKeyPolicy(input: KeyIdInput & { PolicyName?: string }): Promise<{ Policy: string; PolicyName: string }>;
  putKeyPolicy(input: KeyIdInput & { PolicyName?: string; Policy: string; BypassPolicyLockoutSafetyCheck?: boolean }): Promise<Record<string, never>>;
  listKeyPolicies(input: KeyIdInput & Page): Promise<PageResult & { PolicyNames: string[] }>;

  encrypt(input: EncryptInput): Promise<{ CiphertextBlob: Buffer; KeyId: string; EncryptionAlgorithm: EncryptionAlgorithm }>;
  decrypt(input: DecryptInput): Promise<{ Plaintext: Buffer; KeyId: string; EncryptionAlgorithm: EncryptionAlgorithm; KeyMaterialId: string }>;
  generateDataKey(input: GenerateDataKeyInput): Promise<{ CiphertextBlob: Buffer; Plaintext: Buffer; KeyId: string; KeyMaterialId: string }>;
  generateDataKeyWithoutPlaintext(input: GenerateDataKeyInput): Promise<{ CiphertextBlob: Buffer; KeyId: string; KeyMaterialId: string }>;
  reEncrypt(input: ReEncryptInput): Promise<ReEncryptOutput>;

  enableKeyRotation(input: KeyIdInput & { RotationPeriodInDays?: number }): Promise<Record<string, never>>;
  disableKeyRotation(input: KeyIdInput): Promise<Record<string, never>>;
  getKeyRotationStatus(input: KeyIdInput): Promise<KeyRotationStatus>;
  rotateKeyOnDemand(input: KeyIdInput): Promise<{ KeyId: string }>;
  listKeyRotations(input: KeyIdInput & Page): Promise<PageResult & { Rotations: RotationsListEntry[] }>;

  replicateKey(input: ReplicateKeyInput): Promise<ReplicateKeyOutput>;

  /** Meridian's extension: the audit log (TrentService.ListAuditEvents). */
  listAuditEvents(input: ListAuditEventsInput): Promise<PageResult & { Events: AuditEventEntry[] }>;
}
