// The exports the NBD server offers, by name. Owned by the composition root: deploy/ adds an OS volume's
// Disk under its unguessable export name and removes it when the volume goes; golden images go read-only.
import { conflict, invalid } from '../core/errors.js';
import type { Disk } from '../storage/disk.js';

export interface ExportOptions {
  /** Refuse writes even when the Disk could take them. Golden images are exported read-only. */
  readOnly: boolean;
  /** Shown to clients by `nbdinfo --list` (NBD_OPT_LIST, NBD_INFO_DESCRIPTION). */
  description?: string;
  /**
   * The Disk's `flush()` persists writes made through every connection, not just the caller's (true of a
   * Disk shared by all sessions over one file). Only then is NBD_FLAG_CAN_MULTI_CONN offered on a
   * writable export; read-only exports always offer it.
   */
  flushIsGlobal?: boolean;
  /**
   * Left out of NBD_OPT_LIST (default: listed). OS volumes are exported under unguessable names that only
   * holders of the volume record may learn; listing them would hand any client every server's disk.
   */
  unlisted?: boolean;
}

export interface ExportSummary {
  name: string;
  description: string;
  readOnly: boolean;
  sizeBytes: number;
}

/** Something the registry can close when its export is removed (a session). */
export interface ExportUser {
  close(): Promise<void>;
}

/** One registered export; sessions attach to the entry, so a removed and re-added name starts afresh. */
export interface ExportEntry {
  readonly name: string;
  readonly disk: Disk;
  readonly readOnly: boolean;
  readonly description: string;
  readonly multiConn: boolean;
  /** Not shown by NBD_OPT_LIST (still reachable by name). */
  readonly unlisted: boolean;
  readonly users: Set<ExportUser>;
}

const MAX_NAME_BYTES = 4096;

export class ExportRegistry {
  private readonly entries = new Map<string, ExportEntry>();

  /**
   * Offers `disk` under `name`. The registry does not own the Disk: closing it stays with the caller,
   * after `remove()` resolves. Throws AppError `invalid` for a bad name, `conflict` for a taken one.
   */
  add(name: string, disk: Disk, options: ExportOptions): void {
    if (name === '' || Buffer.byteLength(name) > MAX_NAME_BYTES || name.includes('\0')) {
      throw invalid('NBD_EXPORT_NAME_INVALID', `Cannot add NBD export "${name}": the name must be 1 to 4096 bytes without NUL`);
    }
    if (this.entries.has(name)) {
      throw conflict('NBD_EXPORT_EXISTS', `Cannot add NBD export "${name}": an export with that name exists`);
    }
    const readOnly = options.readOnly || disk.readOnly;
    this.entries.set(name, {
      name,
      disk,
      readOnly,
      description: options.description ?? '',
      multiConn: readOnly || options.flushIsGlobal === true,
      unlisted: options.unlisted === true,
      users: new Set(),
    });
  }

  /**
   * Withdraws the export and closes its sessions; resolves once they are closed and their in-flight
   * requests have settled, so the caller may then close the Disk. Resolves false when there was none.
   */
  async remove(name: string): Promise<boolean> {
    const entry = this.entries.get(name);
    if (entry === undefined) return false;
    this.entries.delete(name);
    await Promise.all([...entry.users].map((u) => u.close()));
    entry.users.clear();
    return true;
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  list(): ExportSummary[] {
    return [...this.entries.values()].filter((e) => !e.unlisted).map((e) => ({
      name: e.name,
      description: e.description,
      readOnly: e.readOnly,
      sizeBytes: e.disk.sizeBytes,
    }));
  }

  /** The entry for `name`, if offered (used by the server during the handshake). */
  lookup(name: string): ExportEntry | undefined {
    return this.entries.get(name);
  }

  /** Registers a session on the export so `remove()` can close it; undefined if the export is gone. */
  attach(name: string, user: ExportUser): ExportEntry | undefined {
    const entry = this.entries.get(name);
    entry?.users.add(user);
    return entry;
  }
}
