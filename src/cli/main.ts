import { Command } from 'commander';
import { serveCommand } from './serve-command.ts';
import { upCommand } from './up-command.ts';

const program = new Command('meridian')
  .description('Meridian: a self-hostable, Cognito-compatible identity service')
  .showHelpAfterError();

program
  .command('serve')
  .description('serve one region (Cognito user-pool API, health) on one port')
  .requiredOption('--region <name>', 'region name, e.g. us-east-1')
  .option('--port <port>', 'port to listen on', '9000')
  .option('--host <host>', 'address to bind', '127.0.0.1')
  .option('--data <dir>', 'data directory (SQLite files, root key, generated credentials)', './data')
  .option('--database <url>', 'postgres://... to use PostgreSQL instead of SQLite (or MERIDIAN_DATABASE_URL)')
  .option('--public-url <url>', 'base URL used in token issuers (default http://<host>:<port>)')
  .option('--account-id <id>', '12-digit account id used in ARNs (or MERIDIAN_ACCOUNT_ID)')
  .option('--log-level <level>', 'fatal|error|warn|info|debug|silent (or MERIDIAN_LOG_LEVEL)')
  .action(serveCommand);

program
  .command('up')
  .description('run a local deployment: each region as its own process with its own data')
  .option('--regions <list>', 'comma-separated region names', 'us-east-1')
  .option('--port <port>', 'port of the first region; the i-th region gets port+i', '9000')
  .option('--data <dir>', 'data directory; each region uses <dir>/<region>', './data')
  .action(upCommand);

await program.parseAsync(process.argv);
