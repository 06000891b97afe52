// Compute modules (`/rest/server-hardware`): records with a driver each, power control, console, and the
// two faces the deploy domain uses — the hardware catalogue of server profiles and boot control.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { conflict, invalid, notFound } from '../core/errors.js';
import { newResourceId } from '../core/ids.js';
import { isoNow } from '../core/time.js';
import { envelope, idFromUri, parseInput, resourceName, type Envelope } from '../artifacts/index.js';
import type { Store, StoredDocument } from '../db/index.js';
import type { HardwareCatalog, HardwareRef } from '../deploy/ports.js';
import type { BootTarget, ComputeDriver, PowerState } from './driver.js';
import { QemuDriver } from './qemu-driver.js';
import { VirtualDriver } from './virtual-driver.js';

export const driverKinds = ['virtual', 'qemu'] as const;

export interface ComputeModuleDoc {
  driver: (typeof driverKinds)[number];
  model: string;
  memoryMiB: number;
  cpus: number;
  kernel: string | null;
  initrd: string | null;
  append: string | null;
  serverProfileUri: string | null;
  serverProfileName: string | null;
}

export interface ComputeModule extends Envelope {
  driver: ComputeModuleDoc['driver'];
  model: string;
  powerState: PowerState;
  serverProfileUri: string | null;
  memoryMb: number;
  processorCount: number;
  bootTarget: string | null;
}

export const computeModuleInput = z.object({
  type: z.string().optional(),
  name: resourceName,
  driver: z.enum(driverKinds).default('virtual'),
  model: z.string().optional(),
  memoryMiB: z.coerce.number().int().min(64).max(65536).default(256),
  cpus: z.coerce.number().int().min(1).max(64).default(1),
  kernel: z.string().nullish(),
  initrd: z.string().nullish(),
  append: z.string().nullish(),
});

export const powerStateInput = z.object({
  powerState: z.enum(['On', 'Off']),
  powerControl: z.enum(['MomentaryPress', 'PressAndHold', 'ColdBoot', 'Reset']).optional(),
});

export class ComputeModules implements HardwareCatalog {
  private readonly drivers = new Map<string, ComputeDriver>();
  private readonly targets = new Map<string, BootTarget | null>();

  constructor(
    private readonly store: Store,
    private readonly runDir: string,
  ) {}

  private get repo() {
    return this.store.documents<ComputeModuleDoc>('server-hardware');
  }

  private driver(stored: StoredDocument<ComputeModuleDoc>): ComputeDriver {
    let driver = this.drivers.get(stored.id);
    if (driver === undefined) {
      const d = stored.doc;
      driver = d.driver === 'qemu'
        ? new QemuDriver({ memoryMiB: d.memoryMiB, cpus: d.cpus, kernel: d.kernel ?? undefined, initrd: d.initrd ?? undefined, append: d.append ?? undefined }, join(this.runDir, stored.id))
        : new VirtualDriver();
      this.drivers.set(stored.id, driver);
    }
    return driver;
  }

  present(stored: StoredDocument<ComputeModuleDoc>): ComputeModule {
    const d = stored.doc;
    const powerState = this.driver(stored).powerState();
    const target = this.targets.get(stored.id);
    return {
      ...envelope(stored, { type: 'server-hardware-12', category: 'server-hardware', state: d.serverProfileUri === null ? 'NoProfileApplied' : 'ProfileApplied', status: 'OK' }),
      driver: d.driver,
      model: d.model,
      powerState,
      serverProfileUri: d.serverProfileUri,
      memoryMb: d.memoryMiB,
      processorCount: d.cpus,
      bootTarget: target === undefined || target === null ? null : `nbd://${target.host}:${target.port}`,
    };
  }

  async stored(idOrUri: string): Promise<StoredDocument<ComputeModuleDoc>> {
    const id = idFromUri(idOrUri, 'server-hardware') ?? idOrUri;
    const found = (await this.repo.get(id)) ?? (await this.repo.getByName(id));
    if (found === undefined) throw notFound('SERVER_HARDWARE_NOT_FOUND', `Cannot find compute module "${idOrUri}"`, { recommendedActions: ['List compute modules with GET /rest/server-hardware'] });
    return found;
  }

  async list(): Promise<ComputeModule[]> {
    return (await this.repo.list()).map((s) => this.present(s));
  }

  async get(id: string): Promise<ComputeModule> {
    return this.present(await this.stored(id));
  }

  async create(input: unknown): Promise<ComputeModule> {
    const p = parseInput(computeModuleInput, input, 'add the compute module');
    if ((await this.repo.getByName(p.name)) !== undefined) throw conflict('DUPLICATE_NAME', `Cannot add compute module "${p.name}": one with this name exists`);
    if (p.driver === 'qemu' && p.initrd != null && p.kernel == null) throw invalid('QEMU_INITRD_WITHOUT_KERNEL', `Cannot add compute module "${p.name}": an initrd needs a kernel`);
    const stored = await this.repo.insert({
      id: newResourceId(),
      name: p.name,
      created: isoNow(),
      doc: { driver: p.driver, model: p.model ?? (p.driver === 'qemu' ? 'QEMU x86_64 VM' : 'Virtual compute module'), memoryMiB: p.memoryMiB, cpus: p.cpus, kernel: p.kernel ?? null, initrd: p.initrd ?? null, append: p.append ?? null, serverProfileUri: null, serverProfileName: null },
    });
    await mkdir(join(this.runDir, stored.id), { recursive: true });
    return this.present(stored);
  }

  async delete(id: string): Promise<ComputeModule> {
    const current = await this.stored(id);
    if (current.doc.serverProfileUri !== null) {
      throw conflict('SERVER_HARDWARE_IN_USE', `Cannot remove compute module "${current.name}": server profile "${current.doc.serverProfileName ?? current.doc.serverProfileUri}" is assigned to it`, { recommendedActions: ['Delete that server profile or move it to another module first'] });
    }
    const presented = this.present(current);
    await this.driver(current).close();
    this.drivers.delete(current.id);
    await this.repo.delete(current.id);
    return presented;
  }

  /** OneView's power PUT: On boots the last boot target; Off is graceful unless PressAndHold; Reset restarts. */
  async setPower(id: string, input: unknown): Promise<ComputeModule> {
    const current = await this.stored(id);
    const p = parseInput(powerStateInput, input, `change the power of compute module "${current.name}"`);
    const driver = this.driver(current);
    await this.mkRunDir(current.id);
    if (p.powerControl === 'Reset' || p.powerControl === 'ColdBoot') {
      await driver.powerOff({ force: true });
      await driver.powerOn(this.targets.get(current.id) ?? null);
    } else if (p.powerState === 'On') {
      if (driver.powerState() === 'Off') await driver.powerOn(this.targets.get(current.id) ?? null);
    } else {
      await driver.powerOff({ force: p.powerControl === 'PressAndHold' });
    }
    return this.present(current);
  }

  async console(id: string): Promise<{ text: string; follow: (listener: (text: string) => void) => () => void }> {
    const driver = this.driver(await this.stored(id));
    return { text: driver.console(), follow: (listener) => driver.followConsole(listener) };
  }

  private async mkRunDir(id: string): Promise<void> {
    await mkdir(join(this.runDir, id), { recursive: true });
  }

  // HardwareCatalog (server profiles)

  async find(uriOrId: string): Promise<HardwareRef | undefined> {
    const found = await this.stored(uriOrId).catch(() => undefined);
    return found === undefined ? undefined : { id: found.id, uri: `/rest/server-hardware/${found.id}`, name: found.name };
  }

  async assign(hardwareId: string, profile: { uri: string; name: string } | null): Promise<void> {
    const current = await this.repo.get(hardwareId);
    if (current === undefined) return;
    await this.repo.update(hardwareId, { name: current.name, modified: isoNow(), doc: { ...current.doc, serverProfileUri: profile?.uri ?? null, serverProfileName: profile?.name ?? null } });
  }

  // Boot control (deployer)

  async boot(hardwareId: string, target: BootTarget): Promise<void> {
    const current = await this.stored(hardwareId);
    await this.mkRunDir(current.id);
    this.targets.set(current.id, target);
    const driver = this.driver(current);
    await driver.powerOff({ force: true });
    await driver.powerOn(target);
  }

  async powerOff(hardwareId: string): Promise<void> {
    const current = await this.repo.get(hardwareId);
    if (current === undefined) return;
    await this.driver(current).powerOff();
    this.targets.delete(current.id);
  }

  /** Powers every VM off (appliance shutdown). */
  async close(): Promise<void> {
    await Promise.all([...this.drivers.values()].map((d) => d.close().catch(() => undefined)));
  }
}
