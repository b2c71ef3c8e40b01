import type { FastifyInstance } from 'fastify';
import { ServiceError } from '../../wire/service-error.ts';
import { signedQueryOf, verifySignature } from '../../wire/sigv4-verifier.ts';
import { AccessDeniedException, KMSInternalException, ValidationException } from '../errors.ts';
import type { KeyService } from '../key-service.ts';
import { peerPrincipalArn } from '../operations/replication.ts';
import { peerByAccessKeyId, type RegionPeers } from './region-peers.ts';
import { fromMessage, replicaMessageSchema } from './replica-message.ts';
import { REPLICA_ROUTE } from './http-replication-target.ts';

/**
 * The receiving end of key replication, `POST /internal/kms/replicas`. Only a configured peer
 * Region can call it: the SigV4 signature must verify with a peer's shared credential, and that
 * credential decides which Region is calling (the body must say the same, and the transport
 * wrapping binds both Region names). Admin credentials are not accepted here, and peer
 * credentials are accepted nowhere else.
 */
export function registerReplicaRoute(app: FastifyInstance, options: { region: string; accountId: string; peers: RegionPeers; keys: KeyService }): void {
  const { region, accountId, peers, keys } = options;
  const lookup = (accessKeyId: string) => {
    const found = peerByAccessKeyId(peers, accessKeyId);
    return found ? { accessKeyId, secretAccessKey: found.peer.secretAccessKey, principalArn: peerPrincipalArn(accountId, found.region) } : null;
  };

  app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
    scope.post(REPLICA_ROUTE, async (request, reply) => {
      try {
        const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
        const [path, query = ''] = request.url.split('?', 2) as [string, string?];
        const principal = await verifySignature({ method: request.method, path, query: signedQueryOf(query), headers: request.headers, body }, lookup, 'kms', { region });
        const sourceRegion = peerByAccessKeyId(peers, principal.accessKeyId)!.region;
        let parsed: unknown;
        try {
          parsed = JSON.parse(body.toString('utf8'));
        } catch {
          throw new ValidationException('The replica message is not JSON.');
        }
        const message = replicaMessageSchema.safeParse(parsed);
        if (!message.success) throw new ValidationException('The replica message is malformed.');
        if (message.data.sourceRegion !== sourceRegion || message.data.targetRegion !== region) {
          throw new AccessDeniedException(`The credential of ${sourceRegion} cannot deliver replicas from ${message.data.sourceRegion} to ${message.data.targetRegion}.`);
        }
        let payload;
        try {
          payload = fromMessage(message.data, peerByAccessKeyId(peers, principal.accessKeyId)!.peer.secretAccessKey);
        } catch {
          throw new ValidationException('The replica key material does not open with the credential shared with this Region.');
        }
        const receipt = await keys.acceptReplica(sourceRegion, payload, String(request.id));
        return reply.status(200).type('application/json').send(JSON.stringify(receipt));
      } catch (error) {
        const wire = error instanceof ServiceError ? error : new KMSInternalException('Internal error in the key service.');
        if (!(error instanceof ServiceError)) request.log.error({ err: error }, 'replica import failed');
        return reply.status(wire.statusCode).type('application/json').send(JSON.stringify({ __type: wire.type, message: wire.message }));
      }
    });
  });
}
