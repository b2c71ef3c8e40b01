import { keyArnOf } from './key-ids.ts';
import type { KeyMetadata } from './kms-client.ts';
import type { KeyAttributes } from './key-model.ts';

/** DescribeKey's KeyMetadata for a key held in `region` (a replica is described in its own Region). */
export function keyMetadataOf(keyId: string, attributes: KeyAttributes, region: string, accountId: string): KeyMetadata {
  const metadata: KeyMetadata = {
    AWSAccountId: accountId,
    KeyId: keyId,
    Arn: keyArnOf(region, accountId, keyId),
    CreationDate: new Date(attributes.creationDate),
    Enabled: attributes.state === 'Enabled',
    Description: attributes.description,
    KeyUsage: attributes.keyUsage,
    KeyState: attributes.state,
    Origin: attributes.origin,
    KeyManager: 'CUSTOMER',
    CustomerMasterKeySpec: attributes.keySpec,
    KeySpec: attributes.keySpec,
    EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
    MultiRegion: attributes.multiRegion !== null,
    CurrentKeyMaterialId: attributes.currentMaterialId,
  };
  // PendingDeletionWindowInDays is not shown here: KMS sends it "only when the KeyState of the KMS
  // key is PendingReplicaDeletion", a state this service does not use (docs/KEYS.md).
  if (attributes.state === 'PendingDeletion' && attributes.deletionDate !== null) metadata.DeletionDate = new Date(attributes.deletionDate);
  const multiRegion = attributes.multiRegion;
  if (multiRegion) {
    const entry = (entryRegion: string) => ({ Arn: keyArnOf(entryRegion, accountId, keyId), Region: entryRegion });
    metadata.MultiRegionConfiguration = {
      MultiRegionKeyType: multiRegion.role,
      PrimaryKey: entry(multiRegion.primaryRegion),
      ReplicaKeys: multiRegion.replicaRegions.map(entry),
    };
  }
  return metadata;
}
