// File transfers of any size: multipart uploads streamed from disk (the form HPE's Python client sends,
// reference §3) and downloads streamed to a file that appears only once complete.
import { createReadStream, createWriteStream } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { AppError } from '../core/errors.js';
import { errorFromReply, type ApiClient, type Reply } from './client.js';

const BOUNDARY = '----------StReAmEr_bOuNdArY_7c1f';

async function fileSize(path: string, what: string): Promise<number> {
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new Error('not a regular file');
    return info.size;
  } catch (error) {
    throw new AppError('invalid', 'CLI_FILE_UNREADABLE', `Cannot read ${what} "${path}": ${(error as Error).message}`, { cause: error });
  }
}

/** POSTs a file as multipart part `file` (plus form fields) and returns the parsed reply, any status. */
export async function uploadFile(client: ApiClient, path: string, options: { file: string; query?: Record<string, string | undefined>; fields?: Record<string, string> }): Promise<Reply> {
  const size = await fileSize(options.file, 'file');
  const fileName = basename(options.file);
  const fields = Object.entries(options.fields ?? {}).map(([name, value]) => `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`).join('');
  const head = Buffer.from(`${fields}--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="${fileName.replace(/"/g, '%22')}"\r\nContent-Type: application/octet-stream\r\n\r\n`);
  const tail = Buffer.from(`\r\n--${BOUNDARY}--\r\n`);
  let sent: Promise<void> = Promise.resolve();
  const res = await client.open('POST', path, {
    query: options.query ?? {},
    headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}`, 'content-length': head.length + size + tail.length, uploadfilename: fileName },
    send: (req) => {
      req.write(head);
      sent = pipeline(createReadStream(options.file), req, { end: false }).then(() => void req.end(tail));
      // A server that answers early (an error) closes the upload: the reply below tells why.
      sent.catch(() => undefined);
    },
  });
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  let body: unknown = text === '' ? undefined : text;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    // keep text
  }
  return { status: res.statusCode ?? 0, headers: res.headers, body };
}

/** GETs `path` into `dest` (written as `dest.part`, renamed when complete). Returns the bytes written. */
export async function downloadFile(client: ApiClient, path: string, dest: string, action: string): Promise<number> {
  const res = await client.open('GET', path, { headers: { accept: 'application/octet-stream, application/json;q=0.8' }, send: (req) => req.end() });
  if ((res.statusCode ?? 0) < 200 || (res.statusCode ?? 0) > 299) {
    const chunks: Buffer[] = [];
    for await (const chunk of res) chunks.push(chunk as Buffer);
    let body: unknown;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      body = undefined;
    }
    throw errorFromReply({ status: res.statusCode ?? 0, headers: res.headers, body }, action);
  }
  const partial = `${dest}.part`;
  try {
    await pipeline(res, createWriteStream(partial, { mode: 0o644 }));
    await rename(partial, dest);
  } catch (error) {
    await rm(partial, { force: true });
    throw new AppError('unavailable', 'CLI_DOWNLOAD_FAILED', `Cannot ${action}: ${(error as Error).message}`, { cause: error });
  }
  return (await stat(dest)).size;
}
