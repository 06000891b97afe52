// What a compute module driver does: power, a boot target for the next power-on, and a console. The
// shape fits a Redfish driver too (ComputerSystem.Reset, Boot.BootSourceOverrideTarget, VirtualMedia).

/** Where the module boots from: an NBD export holding the OS volume. */
export interface BootTarget {
  host: string;
  port: number;
  exportName: string;
  /** Connect with TLS, verifying the server with `ca-cert.pem` in `caDir` (the appliance requires TLS). */
  tls?: { caDir: string };
}

export type PowerState = 'On' | 'Off';

export interface ComputeDriver {
  readonly kind: string;
  powerState(): PowerState;
  /** Powers on booting from `target` (the volume stays attached until power-off). */
  powerOn(target: BootTarget | null): Promise<void>;
  /** Graceful when `force` is false (ACPI, then a hard stop after a timeout); immediate when true. */
  powerOff(options?: { force?: boolean }): Promise<void>;
  /** Recent console output (serial), oldest first. */
  console(): string;
  /** Calls `listener` for new console output until the returned function is called. */
  followConsole(listener: (text: string) => void): () => void;
  /** Stops whatever runs (appliance shutdown). */
  close(): Promise<void>;
}

/** A bounded text buffer of the most recent console output. */
export class ConsoleBuffer {
  private text = '';
  private readonly listeners = new Set<(text: string) => void>();

  constructor(private readonly limit = 256 * 1024) {}

  append(chunk: string): void {
    this.text += chunk;
    if (this.text.length > this.limit) this.text = this.text.slice(this.text.length - this.limit);
    for (const listener of this.listeners) listener(chunk);
  }

  read(): string {
    return this.text;
  }

  follow(listener: (text: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
