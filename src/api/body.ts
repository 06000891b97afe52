// Tolerant request-body reading (reference §2.1): JSON whatever the Content-Type says (text/plain from
// Python's extract), empty bodies, `null`, bare JSON strings; with a size limit and a clear parse error.
import { invalid } from '../core/errors.js';

/** Reads the body as JSON. Empty → undefined. Anything over `limitBytes` fails with PAYLOAD_TOO_LARGE. */
export async function readJsonBody(request: Request, limitBytes: number): Promise<unknown> {
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > limitBytes) throw tooLarge(limitBytes);
  if (request.body === null) return undefined;
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = request.body.getReader() as ReadableStreamDefaultReader<Uint8Array>;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limitBytes) {
      await reader.cancel();
      throw tooLarge(limitBytes);
    }
    chunks.push(value);
  }
  const text = Buffer.concat(chunks).toString('utf8').replace(/^\uFEFF/, '').trim();
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw invalid('INVALID_JSON', `Cannot parse the request body as JSON: ${(error as Error).message}`, {
      recommendedActions: ['Send a valid JSON document'],
    });
  }
}

function tooLarge(limitBytes: number) {
  return invalid('PAYLOAD_TOO_LARGE', `Cannot accept the request body: it is larger than ${limitBytes} bytes`, {
    recommendedActions: ['Send a smaller body; upload files with multipart/form-data'],
  });
}

/** The body as an object, treating undefined/null as `{}`; anything else that is not an object is refused. */
export function asObject(body: unknown, what: string): Record<string, unknown> {
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body)) {
    throw invalid('INVALID_BODY', `Cannot ${what}: the request body must be a JSON object, not ${Array.isArray(body) ? 'an array' : typeof body}`);
  }
  return body as Record<string, unknown>;
}
