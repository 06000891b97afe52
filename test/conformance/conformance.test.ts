// Differential conformance: every case of the corpus runs through real guestfish and through the native
// engine on copies of the same image; the logs, the resulting file trees (paths, content, mode, owner,
// symlink targets) and the fsck verdicts must be identical.
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { substitute } from '../../src/attributes/index.js';
import { BUILTIN_COMMANDS } from '../../src/planscript/commands/index.js';
import { fixtureCases, ownCases, type ConformanceCase } from './corpus.js';
import { runEngine, type EngineOutcome } from './engine.js';
import { runGuestfishBatch, type FishResult } from './guestfish.js';
import { makeImage, type ImageName } from './images.js';
import { comparable, dumpTree, fsckImage } from './tree.js';

const dir = mkdtempSync(join(tmpdir(), 'conformance-'));
const fixtures = await fixtureCases();
const cases: ConformanceCase[] = [...ownCases(), ...fixtures];
const engine = new Map<ConformanceCase, EngineOutcome>();
const fish = new Map<ConformanceCase, FishResult>();
/** Successful scripts per guestfish launch (each costs a download and an upload of the image). */
const BATCH = 7;

/** guestfish sees the scripts of a build plan as one script: the steps one after the other. */
function fishText(c: ConformanceCase): string {
  return c.steps.map((s) => substitute(s.content, c.values).text.replace(/\n?$/, '\n')).join('');
}

function batches(forImage: ConformanceCase[]): ConformanceCase[][] {
  const passing = forImage.filter((c) => engine.get(c)!.result.ok);
  const failing = forImage.filter((c) => !engine.get(c)!.result.ok);
  const out: ConformanceCase[][] = [];
  for (let i = 0; i < passing.length; i += BATCH) out.push(passing.slice(i, i + BATCH));
  failing.forEach((c, i) => {
    if (i < out.length) out[i]!.push(c);
    else out.push([c]);
  });
  return out;
}

async function inParallel<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  await Promise.all(Array.from({ length: limit }, async () => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) await fn(item);
  }));
}

/**
 * For working on the engine only: CONFORMANCE_CACHE=dir keeps guestfish's results (keyed by image and
 * script; empty it after changing images.ts) so that a rerun launches guestfish only for what changed.
 * CI runs without it.
 */
function cacheKey(c: ConformanceCase): string {
  return createHash('sha256').update(`${c.image}\0${fishText(c)}`).digest('hex').slice(0, 24);
}
function fromCache(cache: string | undefined, c: ConformanceCase): boolean {
  if (cache === undefined) return false;
  const base = join(cache, cacheKey(c));
  if (!existsSync(`${base}.log`)) return false;
  const result: FishResult = { log: readFileSync(`${base}.log`, 'utf8') };
  if (existsSync(`${base}.img`)) result.image = `${base}.img`;
  fish.set(c, result);
  return true;
}
function toCache(cache: string | undefined, c: ConformanceCase, result: FishResult): void {
  if (cache === undefined || result.log === undefined) return;
  mkdirSync(cache, { recursive: true });
  const base = join(cache, cacheKey(c));
  if (result.image !== undefined) copyFileSync(result.image, `${base}.img`);
  writeFileSync(`${base}.log`, result.log);
}

beforeAll(async () => {
  const images = new Map<ImageName, string>();
  for (const name of new Set(cases.map((c) => c.image))) {
    const path = join(dir, `${name}.img`);
    await makeImage(name, path);
    images.set(name, path);
  }
  for (const [i, c] of cases.entries()) engine.set(c, await runEngine(c, images.get(c.image)!, join(dir, `engine-${i}.img`)));
  const jobs: { image: string; cases: ConformanceCase[]; dir: string }[] = [];
  for (const [name, path] of images) {
    batches(cases.filter((c) => c.image === name)).forEach((b, i) => jobs.push({ image: path, cases: b, dir: join(dir, `fish-${name}-${i}`) }));
  }
  const cache = process.env.CONFORMANCE_CACHE;
  const pending = jobs.map((job) => ({ ...job, cases: job.cases.filter((c) => !fromCache(cache, c)) })).filter((job) => job.cases.length > 0);
  await inParallel(pending, 2, async (job) => {
    mkdirSync(job.dir, { recursive: true });
    const results = await runGuestfishBatch(job.image, job.cases.map((c) => ({ text: fishText(c) })), job.dir);
    job.cases.forEach((c, i) => {
      fish.set(c, results[i]!);
      toCache(cache, c, results[i]!);
    });
  });
}, 20 * 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('plan scripts: native engine vs guestfish', () => {
  it('the corpus uses every native command', () => {
    const used = new Set<string>();
    for (const c of cases) {
      for (const step of c.steps) {
        for (const line of step.content.split('\n')) {
          const words = line.trim().replace(/^-/, '').split(/\s+/);
          used.add(words[0]!.replaceAll('_', '-'));
          if (words[0] === 'glob') used.add(words[1] ?? '');
        }
      }
    }
    const names = BUILTIN_COMMANDS.flatMap((c) => [c.name]);
    expect(names.filter((name) => !used.has(name))).toEqual([]);
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const ours = engine.get(c)!;
    const theirs = fish.get(c)!;
    expect(theirs.log, 'guestfish never reached this script (an earlier script in its batch failed there)').toBeDefined();
    expect(comparable(ours.log)).toBe(comparable(theirs.log!));
    expect(theirs.image).toBeDefined();
    expect(await dumpTree(ours.image)).toEqual(await dumpTree(theirs.image!));
    expect(await fsckImage(ours.image)).toEqual(await fsckImage(theirs.image!));
  });
});
