// The one error type of the domain: a kind (what went wrong, for the edges to translate), a stable code,
// a message for people and an optional recommended action. Edges (HTTP, NBD, CLI) map kinds once.

export type ErrorKind =
  | 'invalid'
  | 'not_found'
  | 'conflict'
  | 'unauthorized'
  | 'forbidden'
  | 'precondition'
  | 'unavailable'
  | 'internal';

export interface AppErrorOptions {
  /** Extra detail for people (OneView `details`). */
  details?: string;
  /** What the user can do about it (OneView `recommendedActions`). */
  recommendedActions?: string[];
  /** Machine-readable facts (OneView `data`). */
  data?: Record<string, unknown>;
  cause?: unknown;
}

/**
 * A failure with a kind and a stable `code` (e.g. `PLANSCRIPT_UNKNOWN_COMMAND`). Messages follow STYLE.md:
 * capital first, no trailing period, values quoted, the failed action then a colon then the cause.
 */
export class AppError extends Error {
  readonly kind: ErrorKind;
  readonly code: string;
  readonly details: string;
  readonly recommendedActions: string[];
  readonly data: Record<string, unknown>;

  constructor(kind: ErrorKind, code: string, message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.kind = kind;
    this.code = code;
    this.details = options.details ?? '';
    this.recommendedActions = options.recommendedActions ?? [];
    this.data = options.data ?? {};
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}

/** Wraps anything thrown into an AppError, keeping AppErrors as they are. */
export function toAppError(error: unknown, code = 'INTERNAL_ERROR'): AppError {
  if (error instanceof AppError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new AppError('internal', code, message || 'Internal error', { cause: error });
}

export const invalid = (code: string, message: string, options?: AppErrorOptions): AppError =>
  new AppError('invalid', code, message, options);
export const notFound = (code: string, message: string, options?: AppErrorOptions): AppError =>
  new AppError('not_found', code, message, options);
export const conflict = (code: string, message: string, options?: AppErrorOptions): AppError =>
  new AppError('conflict', code, message, options);
export const forbidden = (code: string, message: string, options?: AppErrorOptions): AppError =>
  new AppError('forbidden', code, message, options);

/** The OneView error body (reference §2.6): used in HTTP error replies and in a task's `taskErrors`. */
export interface ErrorBody {
  errorCode: string;
  message: string;
  details: string;
  recommendedActions: string[];
  nestedErrors: ErrorBody[];
  errorSource: string | null;
  data: Record<string, unknown>;
}

export function errorBody(error: unknown, errorSource: string | null = null): ErrorBody {
  const e = toAppError(error);
  return {
    errorCode: e.code,
    message: e.message,
    details: e.details,
    recommendedActions: e.recommendedActions,
    nestedErrors: [],
    errorSource,
    data: e.data,
  };
}
