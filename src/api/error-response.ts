// The one place where domain error kinds become HTTP statuses and the OneView error body (reference §2.6).
import { errorBody, toAppError, type ErrorKind } from '../core/errors.js';

const statusByKind: Record<ErrorKind, number> = {
  invalid: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  precondition: 412,
  internal: 500,
  unavailable: 503,
};

// Codes whose HTTP status is more specific than their kind's.
const statusByCode: Record<string, number> = {
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
};

export function errorResponse(error: unknown): Response {
  const appError = toAppError(error);
  const status = statusByCode[appError.code] ?? statusByKind[appError.kind];
  return new Response(JSON.stringify(errorBody(appError)), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8' },
  });
}
