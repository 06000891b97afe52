// The plan-script engine as the deployer's Personalize port: open the guest disk, run the build plan's
// steps as one session, close the guest, report the failure (step, line, command, cause) as a result.
import type { HostLimits, HostSandbox } from '../planscript/host.js';
import { runBuildPlan } from '../planscript/interpreter.js';
import type { GuestSession } from '../guestfs/session.js';
import type { Disk } from '../storage/disk.js';
import type { Personalize } from './deployer.js';

export interface PersonalizerOptions {
  openSession: (disk: Disk) => Promise<GuestSession>;
  /** Where each run's scratch directory is made: outside the data directory. */
  scratchParent: string;
  sandbox: HostSandbox;
  /** Limits of one host command; DEFAULT_HOST_LIMITS where absent. */
  hostLimits?: Partial<HostLimits>;
}

export function planScriptPersonalizer(options: PersonalizerOptions): Personalize {
  return async (disk, run) => {
    const session = await options.openSession(disk);
    try {
      const result = await runBuildPlan({
        steps: run.steps,
        values: run.values,
        attributes: run.attributes,
        session,
        scratchParent: options.scratchParent,
        sandbox: options.sandbox,
        ...(options.hostLimits === undefined ? {} : { hostLimits: options.hostLimits }),
        signal: run.signal,
        log: (line) => run.log(line.text),
      });
      if (result.ok || result.failure === undefined) return { ok: result.ok };
      const f = result.failure;
      return { ok: false, failure: { step: f.step, line: f.line, command: f.command, cause: f.cause } };
    } finally {
      await session.close();
    }
  };
}
