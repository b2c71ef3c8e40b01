import { Command } from 'commander';
import { outboxCommand } from './outbox-command.ts';
import { replicasCommand } from './replicas-command.ts';
import { kmsAuditCommand } from './kms-audit-command.ts';
import { serveCommand } from './serve-command.ts';
import { upCommand } from './up-command.ts';

const program = new Command('meridian')
  .description('Meridian: a self-hostable, Cognito-compatible identity service')
  .showHelpAfterError();

program
  .command('serve')
  .description('serve one region (Cognito user-pool API, health) on one port')
  .requiredOption('--region <name>', 'region name, e.g. us-east-1')
  .option('--catalog <file>', 'region catalog (regions.json from `meridian up`): sets port, data directory <catalog dir>/<region>, admin credentials, peers and global issuer')
  .option('--port <port>', 'port to listen on (default 9000; with --catalog, from the region endpoint)')
  .option('--host <host>', 'address to bind', '127.0.0.1')
  .option('--data <dir>', 'data directory (SQLite files, root key, generated credentials) (default ./data; with --catalog, <catalog dir>/<region>)')
  .option('--database <url>', 'postgres://... to use PostgreSQL instead of SQLite (or MERIDIAN_DATABASE_URL)')
  .option('--public-url <url>', 'base URL used in token issuers (default http://<host>:<port>)')
  .option('--auth-domain <domain>', 'serve OAuth endpoints also at <prefix>.<domain>/oauth2/... (or MERIDIAN_AUTH_DOMAIN)')
  .option('--account-id <id>', '12-digit account id used in ARNs (or MERIDIAN_ACCOUNT_ID)')
  .option('--log-level <level>', 'fatal|error|warn|info|debug|trace|silent (or MERIDIAN_LOG_LEVEL)')
  .option('--workers <n>', 'worker processes sharing the port, each serving the whole region (default 1: this process serves)')
  .action(serveCommand);

program
  .command('up')
  .description('run a local deployment: each region as its own process with its own data')
  .option('--regions <list>', 'comma-separated region names', 'us-east-1,eu-west-1')
  .option('--port <port>', 'port of the first region; the i-th region gets port+i', '9000')
  .option('--data <dir>', 'data directory; each region uses <dir>/<region>; the catalog is <dir>/regions.json', './data')
  .option('--global-issuer-url <url>', 'deployment-wide issuer URL (default: the first region\'s endpoint)')
  .action(upCommand);

program
  .command('outbox')
  .description('print the messages (codes, invitations) a region kept for a pool; signed with the admin credentials')
  .requiredOption('--endpoint <url>', 'the region, e.g. http://127.0.0.1:9000')
  .requiredOption('--pool <id>', 'user pool id')
  .option('--username <name>', 'only this user (username, email alias or sub)')
  .option('--region <name>', 'region in the signature scope', 'us-east-1')
  .option('--data <dir>', 'data directory with admin-credentials.json, when MERIDIAN_ADMIN_ACCESS_KEY_ID/SECRET_ACCESS_KEY are not set')
  .option('--json', 'print a JSON array')
  .action(outboxCommand);

program
  .command('kms')
  .description('built-in KMS tools (audit log)')
  .addCommand(kmsAuditCommand());

program.addCommand(replicasCommand());

await program.parseAsync(process.argv);
