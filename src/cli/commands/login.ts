// `streamer login` and `streamer logout`: open a session and save it, or close it and forget it.
import type { Command } from 'commander';
import { AppError } from '../../core/errors.js';
import { ApiClient, isLoopback } from '../client.js';
import { print, promptPassword, warn, type CliIo } from '../io.js';
import { loadProfile, profilePath, removeProfile, saveProfile } from '../profile.js';

interface LoginOptions {
  url: string;
  user: string;
  password?: string;
  insecure?: boolean;
}

export function registerLogin(program: Command, io: CliIo): void {
  program
    .command('login')
    .description('Log in to an appliance and save the session (STREAMER_CONFIG or ~/.config/streamer/session.json, mode 0600)')
    .requiredOption('--url <url>', 'appliance URL, e.g. https://streamer.example:8443')
    .option('--user <name>', 'user name', 'Administrator')
    .option('--password <password>', 'password (else STREAMER_PASSWORD, else asked on the terminal)')
    .option('--insecure', 'accept a certificate that does not verify (self-signed); the default for https://localhost and 127.0.0.1')
    .action(async (opts: LoginOptions) => {
      let insecure = opts.insecure === true;
      const url = opts.url.includes('://') ? opts.url : `https://${opts.url}`;
      if (!insecure && url.startsWith('https:') && isLoopback(url)) {
        insecure = true;
        warn(io, `accepting the certificate of "${new URL(url).host}" without verification (loopback address)`);
      }
      const client = new ApiClient({ url, insecure });
      const password = opts.password ?? io.env['STREAMER_PASSWORD'] ?? (await promptPassword(io, `Password for ${opts.user}: `));
      const sessionID = await client.login(opts.user, password);
      const path = profilePath(io.env);
      await saveProfile(path, { url: client.url, sessionID, insecure, userName: opts.user });
      print(io, `Logged in to ${client.url} as "${opts.user}" (session saved in ${path})`);
    });

  program
    .command('logout')
    .description('Close the saved session on the appliance and forget it')
    .action(async () => {
      const path = profilePath(io.env);
      let profile;
      try {
        profile = await loadProfile(path);
      } catch (error) {
        if (error instanceof AppError && error.code === 'CLI_NOT_LOGGED_IN') {
          await removeProfile(path);
          print(io, 'Not logged in');
          return;
        }
        throw error;
      }
      const client = new ApiClient({ url: profile.url, sessionId: profile.sessionID, insecure: profile.insecure });
      try {
        // 401 means the session already ended on the server: forgetting it locally is all that is left.
        const reply = await client.request('DELETE', '/rest/login-sessions');
        if (reply.status >= 300 && reply.status !== 401) warn(io, `the appliance answered HTTP ${reply.status} to logout; forgetting the session anyway`);
      } catch (error) {
        warn(io, `${(error as Error).message}; forgetting the session anyway`);
      }
      await removeProfile(path);
      print(io, `Logged out of ${profile.url}`);
    });
}
