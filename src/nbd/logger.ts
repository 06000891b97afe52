// The logging the NBD server needs; a pino logger fits it.
export interface NbdLogger {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

export const silentLogger: NbdLogger = { debug() {}, info() {}, warn() {} };
