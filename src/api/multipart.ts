// Streaming multipart/form-data (reference §3): HPE's clients upload multi-GiB files as part "file";
// Ruby sends other values as form fields. The file part is handed over as a stream, never buffered.
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import busboy from 'busboy';
import { invalid, toAppError } from '../core/errors.js';

export interface UploadedFile {
  /** Form fields that arrived before the file part. */
  fields: Record<string, string>;
  fileName: string;
  stream: Readable;
}

/**
 * Parses the request until the `file` part starts, then calls `consume` with it; resolves with consume's
 * result and the fields seen in all (including those after the file).
 */
export async function withUploadedFile<T>(request: Request, consume: (file: UploadedFile) => Promise<T>): Promise<{ result: T; fields: Record<string, string> }> {
  const contentType = request.headers.get('content-type') ?? '';
  if (!contentType.toLowerCase().startsWith('multipart/form-data')) {
    throw invalid('UNSUPPORTED_MEDIA_TYPE', `Cannot read the upload: expected multipart/form-data, got "${contentType || 'no content type'}"`, {
      recommendedActions: ['Send the file as multipart/form-data in a part named "file"'],
    });
  }
  if (request.body === null) throw invalid('UPLOAD_EMPTY', 'Cannot read the upload: the request has no body');
  const fields: Record<string, string> = {};
  const parser = busboy({ headers: { 'content-type': contentType }, limits: { files: 1, fields: 20, fieldSize: 64 * 1024 } });
  const source = Readable.fromWeb(request.body as WebReadableStream<Uint8Array>);
  return new Promise((resolve, reject) => {
    let consumer: Promise<T> | undefined;
    let failed = false;
    const fail = (error: unknown) => {
      if (failed) return;
      failed = true;
      source.unpipe(parser);
      source.destroy();
      // consume's own error goes through as it is; a bare value it threw becomes an AppError
      reject(error instanceof Error ? error : toAppError(error));
    };
    parser.on('field', (name, value) => (fields[name] = value));
    parser.on('file', (name, stream, info) => {
      if (name !== 'file' || consumer !== undefined) {
        stream.resume();
        return;
      }
      consumer = consume({ fields: { ...fields }, fileName: info.filename ?? '', stream });
      consumer.catch((error: unknown) => {
        stream.resume();
        fail(error);
      });
    });
    parser.on('error', (error) => fail(invalid('UPLOAD_MALFORMED', `Cannot read the upload: ${(error as Error).message}`)));
    parser.on('close', () => {
      if (failed) return;
      if (consumer === undefined) return fail(invalid('UPLOAD_NO_FILE', 'Cannot read the upload: there is no part named "file"', { recommendedActions: ['Send the file in a multipart part named "file"'] }));
      consumer.then((result) => resolve({ result, fields }), fail);
    });
    source.on('error', (error) => fail(invalid('UPLOAD_INTERRUPTED', `Cannot read the upload: the connection failed (${error.message})`)));
    source.pipe(parser);
  });
}
