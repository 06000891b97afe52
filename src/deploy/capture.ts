// Capture (reference §4.4): a deployed server's OS volume becomes a new golden image. The volume is cloned
// (copy-on-write, so it costs what the server changed), a capture build plan removes server-specific
// content from the clone, and the clone is frozen into a golden image that records where it came from.
import { AppError, conflict, invalid, isAppError, toAppError } from '../core/errors.js';
import { idFromUri, looseBoolean, parseInput, type BuildPlans, type GoldenImages, type PlanScripts } from '../artifacts/index.js';
import { z } from 'zod';
import type { Task, TaskEngine } from '../tasks/index.js';
import { buildPlanSteps, type Personalize } from './deployer.js';
import type { OsVolumes } from './os-volumes.js';

/** A capture request (reference §4.4): POST /rest/golden-images with imageCapture. */
export const captureInput = z.object({
  type: z.string().optional(),
  name: z.string().min(1),
  description: z.string().nullish(),
  imageCapture: looseBoolean,
  osVolumeURI: z.string().optional(),
  osVolumeName: z.string().optional(),
  buildPlanUri: z.string().optional(),
  buildPlanName: z.string().optional(),
});

/** What capture needs of the volume store. */
export interface CaptureBackend {
  /** A writable copy-on-write clone of a volume's current content (the volume itself stays in use). */
  cloneOfVolume(volumeId: string): Promise<string>;
  openDisk(volumeId: string): Promise<import('../storage/disk.js').Disk>;
  /** Makes the volume immutable as a golden image: returns the image's storage id and size. */
  freeze(volumeId: string): Promise<{ imageId: string; sizeBytes: number }>;
  deleteVolume(volumeId: string): Promise<void>;
  deleteImage(imageId: string): Promise<void>;
}

export interface CaptureParts {
  tasks: TaskEngine;
  planScripts: PlanScripts;
  buildPlans: BuildPlans;
  goldenImages: GoldenImages;
  osVolumes: OsVolumes;
  volumes: CaptureBackend;
  personalize: Personalize;
}

export class Capture {
  constructor(private readonly p: CaptureParts) {}

  /** Validates the request synchronously, then captures in a task on the deploy queue. */
  async start(input: Record<string, unknown>, owner: string): Promise<Task> {
    const parsed = parseInput(captureInput, input, 'capture the golden image');
    const name = await this.p.goldenImages.checkNewName(parsed.name);
    const volumeKey = parsed.osVolumeURI === undefined ? parsed.osVolumeName : (idFromUri(parsed.osVolumeURI, 'os-volumes') ?? parsed.osVolumeURI);
    if (volumeKey === undefined) throw invalid('CAPTURE_NO_VOLUME', `Cannot capture "${name}": name the OS volume with osVolumeURI or osVolumeName`);
    const volume = await this.p.osVolumes.stored(volumeKey);
    const planKey = parsed.buildPlanUri === undefined ? undefined : (idFromUri(parsed.buildPlanUri, 'build-plans') ?? parsed.buildPlanUri);
    const plan = planKey !== undefined ? await this.p.buildPlans.get(planKey) : parsed.buildPlanName !== undefined ? (await this.p.buildPlans.list()).find((b) => b.name === parsed.buildPlanName) : undefined;
    if (plan === undefined) throw invalid('CAPTURE_NO_BUILD_PLAN', `Cannot capture "${name}": name a capture build plan with buildPlanUri or buildPlanName`);
    if (plan.oeBuildPlanType !== 'capture') {
      throw conflict('CAPTURE_PLAN_TYPE', `Cannot capture "${name}": build plan "${plan.name}" is a ${plan.oeBuildPlanType} plan, not a capture plan`, { recommendedActions: ['Choose a build plan whose oeBuildPlanType is "capture"'] });
    }
    const steps = await buildPlanSteps(this.p, plan.id);
    const values = Object.fromEntries(plan.customAttributes.filter((a) => a.value !== null).map((a) => [a.name, a.value!]));

    return this.p.tasks.start({
      name: 'Create',
      owner,
      queue: 'deploy',
      resource: { uri: null, name, category: 'golden-images' },
      steps: ['Clone OS volume', 'Run capture plan', 'Freeze golden image'],
      run: async (context) => {
        await context.step('Clone OS volume');
        const cloneId = await this.p.volumes.cloneOfVolume(volume.doc.storageId);
        let frozenId: string | undefined;
        const log: string[] = [`${new Date().toISOString()} Capturing ${volume.name} with capture build plan "${plan.name}"`];
        try {
          await context.progress(20, `Cloned ${volume.name}`);
          await context.step('Run capture plan');
          const disk = await this.p.volumes.openDisk(cloneId);
          try {
            const result = await this.p.personalize(disk, {
              steps,
              values,
              attributes: plan.customAttributes,
              signal: context.signal,
              log: (line) => {
                log.push(line);
                context.output(line);
              },
            });
            if (!result.ok) {
              const f = result.failure;
              throw new AppError('invalid', 'CAPTURE_PLAN_FAILED', `Cannot capture "${name}"${f === undefined ? '' : ` (plan script "${f.step}", line ${f.line}: ${f.command})`}: ${f?.cause ?? 'the capture plan failed'}`, {
                recommendedActions: ['Read the log in this task\'s output and correct the capture plan'],
              });
            }
            await disk.flush();
          } finally {
            await disk.close();
          }
          await context.step('Freeze golden image');
          const frozen = await this.p.volumes.freeze(cloneId);
          frozenId = frozen.imageId;
          const image = await this.p.goldenImages.record({
            name,
            description: parsed.description ?? null,
            storageId: frozen.imageId,
            size: frozen.sizeBytes,
            checkSum: null,
            lineage: {
              osVolumeUri: `/rest/os-volumes/${volume.id}`,
              sourceGoldenImageUri: volume.doc.goldenImageId === null ? null : `/rest/golden-images/${volume.doc.goldenImageId}`,
              buildPlanUri: plan.uri,
              buildPlanName: plan.name,
            },
            log: [...log, `${new Date().toISOString()} Captured from ${volume.name}`],
          });
          context.setResource({ uri: image.uri, name: image.name, category: 'golden-images' });
        } catch (error) {
          if (frozenId === undefined) await this.p.volumes.deleteVolume(cloneId).catch(() => undefined);
          else await this.p.volumes.deleteImage(frozenId).catch(() => undefined);
          throw isAppError(error) ? error : toAppError(error, 'CAPTURE_FAILED');
        }
      },
    });
  }
}
