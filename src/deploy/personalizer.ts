// The plan-script engine as the deployer's Personalize port: open the guest disk, run the build plan's
// steps as one session, close the guest, report the failure (step, line, command, cause) as a result.
import type { HostLimits, HostSandbox } from '../planscript/host.js';
import { isAppError } from '../core/errors.js';
import { guestfishAvailable, runWithGuestfish } from '../planscript/guestfish-fallback.js';
import { runBuildPlan, type RunResult } from '../planscript/interpreter.js';
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
  /**
   * Build plans the native engine refuses (PLANSCRIPT_UNSUPPORTED) run through guestfish when it is
   * installed: `tcg` says whether its appliance must use TCG. Absent: such plans fail with the refusal.
   */
  guestfish?: { tcg: () => Promise<boolean>; hiddenPaths: readonly string[] };
}

export function planScriptPersonalizer(options: PersonalizerOptions): Personalize {
  return async (disk, run) => {
    const result = await native(disk, run).catch(async (error: unknown) => {
      if (!isAppError(error) || error.code !== 'PLANSCRIPT_UNSUPPORTED' || options.guestfish === undefined || !guestfishAvailable()) throw error;
      run.log(`The native engine cannot run this build plan (${error.message.replace(/^Cannot run the build plan natively: /, '')}): running it through guestfish`);
      return runWithGuestfish({
        steps: run.steps,
        values: run.values,
        attributes: run.attributes,
        disk,
        scratchParent: options.scratchParent,
        hiddenPaths: options.guestfish.hiddenPaths,
        tcg: await options.guestfish.tcg(),
        signal: run.signal,
        log: (line) => run.log(line.text),
      });
    });
    if (result.ok || result.failure === undefined) return { ok: result.ok };
    const f = result.failure;
    return { ok: false, failure: { step: f.step, line: f.line, command: f.command, cause: f.cause } };
  };

  async function native(disk: Disk, run: Parameters<Personalize>[1]): Promise<RunResult> {
    const session = await options.openSession(disk);
    try {
      return await runBuildPlan({
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
    } finally {
      await session.close();
    }
  }
}
