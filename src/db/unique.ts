// Turns a unique-constraint violation from either dialect into a conflict AppError.
import { AppError } from '../core/errors.js';

export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  // SQLite (better-sqlite3) and PostgreSQL (pg: 23505).
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === '23505';
}

export function duplicateName(category: string, name: string, cause?: unknown): AppError {
  return new AppError('conflict', 'DUPLICATE_NAME', `Cannot save "${name}": a resource of type "${category}" with this name already exists`, {
    recommendedActions: ['Choose another name, or update the existing resource'],
    cause,
  });
}
