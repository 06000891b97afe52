// The log of one build-plan run: every output line in order (echo and command output, host command
// output, errors), `ImageStreamerLog:` lines collected apart, password values masked before anything is kept.
import { maskSecrets } from '../attributes/index.js';

export type LogKind = 'output' | 'host' | 'error' | 'warning';

export interface LogLine {
  /** Milliseconds since the run started. */
  atMs: number;
  /** Index of the build-plan step (0-based) and the script line it came from. */
  step: number;
  line: number;
  kind: LogKind;
  text: string;
}

export interface ImageStreamerLogLine {
  step: number;
  line: number;
  /** What follows `ImageStreamerLog:`, trimmed. */
  message: string;
}

const MARKER = 'ImageStreamerLog:';

export class RunLog {
  readonly lines: LogLine[] = [];
  readonly imageStreamerLog: ImageStreamerLogLine[] = [];
  private readonly started = Date.now();

  constructor(
    private readonly secrets: readonly string[],
    private readonly listener?: (line: LogLine) => void,
  ) {}

  /** Output that did not end with a newline yet (`!echo -n`): the next output continues its line. */
  private pending: { at: { step: number; line: number }; kind: LogKind; text: string } | undefined;

  /**
   * Logs text split into lines (a final newline does not make an empty line). Output without a final
   * newline waits for the rest of its line, as on guestfish's terminal; an error line starts a new one.
   */
  add(at: { step: number; line: number }, kind: LogKind, text: string): void {
    if (text === '') return;
    if (kind === 'error' || kind === 'warning') this.flush();
    else if (this.pending !== undefined) {
      const { at: first, kind: firstKind, text: head } = this.pending;
      this.pending = undefined;
      this.add(first, firstKind, head + text);
      return;
    }
    const complete = text.endsWith('\n') || kind === 'error' || kind === 'warning';
    const parts = (text.endsWith('\n') ? text.slice(0, -1) : text).split('\n');
    if (!complete) {
      this.pending = { at, kind, text: parts.pop()! };
    }
    for (const part of parts) this.push(at, kind, part);
  }

  /** Logs a pending partial line; runs call this when they end. */
  flush(): void {
    const pending = this.pending;
    this.pending = undefined;
    if (pending !== undefined) this.push(pending.at, pending.kind, pending.text);
  }

  private push(at: { step: number; line: number }, kind: LogKind, part: string): void {
    const masked = this.mask(part);
    const entry: LogLine = { atMs: Date.now() - this.started, step: at.step, line: at.line, kind, text: masked };
    this.lines.push(entry);
    const markerAt = masked.indexOf(MARKER);
    if (markerAt !== -1 && (kind === 'output' || kind === 'host') && masked.slice(0, markerAt).trim() === '') {
      this.imageStreamerLog.push({ step: at.step, line: at.line, message: masked.slice(markerAt + MARKER.length).trim() });
    }
    this.listener?.(entry);
  }

  mask(text: string): string {
    return maskSecrets(text, this.secrets);
  }

  /** The whole log as text, one line per entry. */
  text(): string {
    return this.lines.map((l) => `${l.text}\n`).join('');
  }
}
