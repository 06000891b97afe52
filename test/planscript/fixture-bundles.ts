// Reads the plan scripts and build plans of the HPE fixture bundles (read-only, never modified) for tests.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import yauzl from 'yauzl';

export const BUNDLE_DIR = '/work/shared/fixtures/bundles';

export interface FixtureBundle {
  file: string;
  /** Every `*_planscript.json`, parsed. */
  planScripts: Array<{ name: string; planType: string; content: string }>;
  buildPlans: Array<{
    name: string;
    oeBuildPlanType: string;
    buildStep: Array<{ serialNumber: string; planScriptName: string }>;
    customAttributes: Array<{ name: string; value: string | null; type: string; constraints: string; description: string }>;
  }>;
  /** Raw bytes of entries that are not JSON (golden image payloads), by entry name. */
  payloads: Map<string, Buffer>;
}

function readZip(path: string): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    yauzl.open(path, { lazyEntries: true }, (error, zip) => {
      if (error !== null || zip === undefined) return reject(error ?? new Error(`Cannot open ${path}`));
      const entries = new Map<string, Buffer>();
      zip.on('entry', (entry: yauzl.Entry) => {
        zip.openReadStream(entry, (err, stream) => {
          if (err !== null || stream === undefined) return reject(err ?? new Error('no stream'));
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            entries.set(entry.fileName, Buffer.concat(chunks));
            zip.readEntry();
          });
          stream.on('error', reject);
        });
      });
      zip.on('end', () => resolve(entries));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

export async function loadFixtureBundles(): Promise<FixtureBundle[]> {
  const files = readdirSync(BUNDLE_DIR).filter((f) => f.endsWith('.zip')).sort();
  const bundles: FixtureBundle[] = [];
  for (const file of files) {
    const entries = await readZip(join(BUNDLE_DIR, file));
    const bundle: FixtureBundle = { file, planScripts: [], buildPlans: [], payloads: new Map() };
    for (const [name, data] of entries) {
      if (name.endsWith('_planscript.json')) bundle.planScripts.push(JSON.parse(data.toString('utf8')) as FixtureBundle['planScripts'][number]);
      else if (name.endsWith('_buildplan.json')) bundle.buildPlans.push(JSON.parse(data.toString('utf8')) as FixtureBundle['buildPlans'][number]);
      else if (!name.endsWith('.json') && !name.endsWith('.MF') && !name.endsWith('.sha256sum')) bundle.payloads.set(name, data);
    }
    bundles.push(bundle);
  }
  return bundles;
}

/** A build plan's step scripts, in serialNumber order. */
export function stepScripts(bundle: FixtureBundle, plan: FixtureBundle['buildPlans'][number]): Array<{ name: string; content: string }> {
  return [...plan.buildStep]
    .sort((a, b) => Number(a.serialNumber) - Number(b.serialNumber))
    .map((step) => {
      const script = bundle.planScripts.find((s) => s.name === step.planScriptName);
      if (script === undefined) throw new Error(`${bundle.file}: build plan "${plan.name}" names missing script "${step.planScriptName}"`);
      return { name: script.name, content: script.content };
    });
}
