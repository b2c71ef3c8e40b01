import { hkdfSync } from 'node:crypto';
import { openAesGcm, sealAesGcm } from '../../crypto/aes-gcm.ts';

/**
 * Key material in transit between two Regions: AES-256-GCM under a key derived (HKDF-SHA256) from
 * the secret the two Regions share, separated by direction, with the key id, version and material
 * id as additional data. So the material is never readable on the wire, even over plain HTTP on a
 * loopback, and a wrapped material cannot be replayed as another key's or another version's.
 */
function transportKey(sharedSecret: string, sourceRegion: string, targetRegion: string): Buffer {
  return Buffer.from(hkdfSync('sha256', Buffer.from(sharedSecret, 'utf8'), Buffer.from('meridian/kms-replica-transport/v1'), `${sourceRegion}>${targetRegion}`, 32));
}

function additionalData(sourceRegion: string, targetRegion: string, keyId: string, version: number, materialId: string): Buffer {
  return Buffer.from(`${sourceRegion}>${targetRegion}|${keyId}|${version}|${materialId}`);
}

export interface MaterialAddress {
  sourceRegion: string;
  targetRegion: string;
  keyId: string;
  version: number;
  materialId: string;
}

export function wrapForTransport(sharedSecret: string, address: MaterialAddress, material: Buffer): Buffer {
  const { sourceRegion, targetRegion, keyId, version, materialId } = address;
  return sealAesGcm(transportKey(sharedSecret, sourceRegion, targetRegion), material, additionalData(sourceRegion, targetRegion, keyId, version, materialId));
}

/** Throws DecryptionFailed when the material was not wrapped for exactly this address. */
export function unwrapFromTransport(sharedSecret: string, address: MaterialAddress, wrapped: Buffer): Buffer {
  const { sourceRegion, targetRegion, keyId, version, materialId } = address;
  return openAesGcm(transportKey(sharedSecret, sourceRegion, targetRegion), wrapped, additionalData(sourceRegion, targetRegion, keyId, version, materialId));
}
