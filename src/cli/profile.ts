// The saved login: `{url, sessionID, insecure}` in $STREAMER_CONFIG or ~/.config/streamer/session.json,
// readable by its owner only (mode 0600).
import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { AppError } from '../core/errors.js';

export interface Profile {
  url: string;
  sessionID: string;
  insecure: boolean;
  userName?: string;
}

export function profilePath(env: NodeJS.ProcessEnv): string {
  const configured = env['STREAMER_CONFIG'];
  if (configured !== undefined && configured !== '') return configured;
  const base = env['XDG_CONFIG_HOME'] !== undefined && env['XDG_CONFIG_HOME'] !== '' ? env['XDG_CONFIG_HOME'] : join(env['HOME'] ?? homedir(), '.config');
  return join(base, 'streamer', 'session.json');
}

const notLoggedIn = (path: string, why: string): AppError =>
  new AppError('unauthorized', 'CLI_NOT_LOGGED_IN', `Cannot talk to the appliance: ${why}`, {
    details: `Session file: "${path}"`,
    recommendedActions: ['Run "streamer login --url URL --user NAME"'],
  });

/** Reads the saved login; a missing or broken file is an `unauthorized` AppError telling the user to log in. */
export async function loadProfile(path: string): Promise<Profile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw notLoggedIn(path, 'not logged in');
    throw error;
  }
  let parsed: Partial<Profile>;
  try {
    parsed = JSON.parse(text) as Partial<Profile>;
  } catch {
    throw notLoggedIn(path, 'the session file is not JSON');
  }
  if (typeof parsed.url !== 'string' || typeof parsed.sessionID !== 'string') throw notLoggedIn(path, 'the session file lacks "url" or "sessionID"');
  return { url: parsed.url, sessionID: parsed.sessionID, insecure: parsed.insecure === true, ...(typeof parsed.userName === 'string' ? { userName: parsed.userName } : {}) };
}

export async function saveProfile(path: string, profile: Profile): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  await writeFile(path, `${JSON.stringify(profile, null, 2)}\n`, { mode: 0o600 });
  await chmod(path, 0o600); // writeFile keeps the mode of an existing file
}

export async function removeProfile(path: string): Promise<void> {
  await rm(path, { force: true });
}
