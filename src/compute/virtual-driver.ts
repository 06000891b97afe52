// A compute module with no machine behind it: power and boot target are recorded state, so deploys can be
// exercised at scale without VMs.
import { ConsoleBuffer, type BootTarget, type ComputeDriver, type PowerState } from './driver.js';

export class VirtualDriver implements ComputeDriver {
  readonly kind = 'virtual';
  private state: PowerState = 'Off';
  private readonly out = new ConsoleBuffer(16 * 1024);
  bootTarget: BootTarget | null = null;

  powerState(): PowerState {
    return this.state;
  }

  powerOn(target: BootTarget | null): Promise<void> {
    this.bootTarget = target;
    this.state = 'On';
    this.out.append(`${new Date().toISOString()} power on${target === null ? '' : `, boot from nbd://${target.host}:${target.port}/<export>`}\n`);
    return Promise.resolve();
  }

  powerOff(): Promise<void> {
    if (this.state === 'On') this.out.append(`${new Date().toISOString()} power off\n`);
    this.state = 'Off';
    return Promise.resolve();
  }

  console(): string {
    return this.out.read();
  }

  followConsole(listener: (text: string) => void): () => void {
    return this.out.follow(listener);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
