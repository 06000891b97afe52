// `streamer serve`: runs an appliance on a data directory until SIGINT/SIGTERM, then shuts down gracefully.
import type { Command } from 'commander';
import { invalid } from '../../core/errors.js';
import { CLI_USAGE } from '../exit-codes.js';
import type { RunningAppliance, ServeOptions } from '../../appliance.js';

export function registerServe(program: Command, serve: (options: ServeOptions) => Promise<RunningAppliance>): void {
  program
    .command('serve')
    .description('Start an appliance (REST API and UI over HTTPS) on a data directory')
    .option('--data <dir>', 'data directory (database, volumes, certificate)', process.env['STREAMER_DATA'] ?? './streamer-data')
    .option('--host <address>', 'address to listen on', '0.0.0.0')
    .option('--port <port>', 'HTTPS (or HTTP) port', '8443')
    .option('--http', 'serve plain HTTP instead of HTTPS', false)
    .option('--admin-password <password>', 'password of the first administrator (or STREAMER_ADMIN_PASSWORD); generated and printed when absent')
    .option('--demo', 'load demo artifacts when the appliance is empty', false)
    .option('--deploy-concurrency <n>', 'deploys and captures that run at once; more wait in a queue', '8')
    .option('--nbd-port <port>', 'NBD port OS volumes are exported on (0: any free port)', '10809')
    .option('--nbd-address <address>', 'address compute modules reach the NBD server on (default: --host, or 127.0.0.1 for 0.0.0.0)')
    .option('--nbd-tls <mode>', 'TLS on the NBD server with the appliance certificate: off, allow (clients choose) or require (default: allow; off with --http)')
    .action(async (opts: { data: string; host: string; port: string; http: boolean; adminPassword?: string; demo: boolean; nbdPort: string; nbdAddress?: string; nbdTls?: string; deployConcurrency: string }) => {
      const port = Number(opts.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw invalid(CLI_USAGE, `Cannot start: "--port ${opts.port}" is not a port number`);
      const nbdPort = Number(opts.nbdPort);
      if (!Number.isInteger(nbdPort) || nbdPort < 0 || nbdPort > 65535) throw invalid(CLI_USAGE, `Cannot start: "--nbd-port ${opts.nbdPort}" is not a port number`);
      const deploys = Number(opts.deployConcurrency);
      if (!Number.isInteger(deploys) || deploys < 1) throw invalid(CLI_USAGE, `Cannot start: "--deploy-concurrency ${opts.deployConcurrency}" is not a positive whole number`);
      const nbdTls = opts.nbdTls;
      if (nbdTls !== undefined && nbdTls !== 'off' && nbdTls !== 'allow' && nbdTls !== 'require') {
        throw invalid(CLI_USAGE, `Cannot start: "--nbd-tls ${nbdTls}" is not one of off, allow, require`);
      }
      const adminPassword = opts.adminPassword ?? process.env['STREAMER_ADMIN_PASSWORD'];
      const running = await serve({
        dataDir: opts.data,
        host: opts.host,
        port,
        http: opts.http,
        demo: opts.demo,
        taskLimits: { deploy: deploys },
        nbd: { host: opts.host, port: nbdPort, ...(opts.nbdAddress === undefined ? {} : { advertise: opts.nbdAddress }) },
        ...(nbdTls === undefined ? {} : { nbdTls }),
        ...(adminPassword === undefined ? {} : { adminPassword }),
      });
      const { appliance, server } = running;
      if (appliance.generatedAdminPassword !== undefined) {
        process.stdout.write(`First start: user "Administrator", password "${appliance.generatedAdminPassword}" (shown once; change it with PUT /rest/users)\n`);
      }
      const tls = appliance.nbdEndpoint.tls;
      const nbdSecurity = tls === undefined ? 'no TLS' : tls.mode === 'require' ? 'TLS required' : 'TLS offered';
      process.stdout.write(`Streamer listening on ${server.url} (NBD on port ${appliance.nbd.port}, ${nbdSecurity}; data: ${opts.data})\n`);
      await new Promise<void>((resolve) => {
        const stop = (signal: string) => {
          appliance.logger.info({ signal }, 'shutting down');
          resolve();
        };
        process.once('SIGINT', () => stop('SIGINT'));
        process.once('SIGTERM', () => stop('SIGTERM'));
      });
      await running.stop();
    });
}
