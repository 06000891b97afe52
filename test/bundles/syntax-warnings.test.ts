// A bundled plan script that does not parse is extracted as it is (HPE's appliance accepts such bundles),
// and the extract task, which still completes, warns about each one: its name, line, column and problem.
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import yazl from 'yazl';
import { startBundleHarness, type BundleHarness } from './harness.js';

const fixtures = '/work/shared/fixtures/bundles';

interface Entry {
  name: string;
  data: Buffer;
}

const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const json = (value: unknown) => Buffer.from(JSON.stringify(value));

/** A bundle zip of `entries` with MANIFEST.MF and a correct SHA256SUM. */
async function bundleOf(entries: Entry[]): Promise<Buffer> {
  const manifest = Buffer.from('Artifact Name:Syntax\nDescription:test\nRead Only:false\nTime Stamp:2026-01-01T00:00:00.000Z\nArtifact Type:USER');
  const all = [...entries, { name: 'MANIFEST.MF', data: manifest }];
  const zip = new yazl.ZipFile();
  for (const e of all) zip.addBuffer(e.data, e.name, { compress: true });
  zip.addBuffer(Buffer.from(all.map((e) => `${e.name}\t${sha(e.data)}\n`).join('')), 'SHA256SUM.sha256sum');
  zip.end();
  const chunks: Buffer[] = [];
  for await (const c of zip.outputStream as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks);
}

const script = (id: string, name: string, content: string): Entry => ({
  name: `${id}_planscript.json`,
  data: json({ type: 'PlanScript', id, name, planType: 'deploy', content, description: '', hpProvided: false, customAttributes: null }),
});

/** Uploads a bundle zip and extracts it; returns the finished extract task. */
async function uploadAndExtract(fileName: string, zip: Buffer): Promise<any> {
  const up = await h.upload('/rest/artifact-bundles', fileName, zip);
  expect(up.status, up.text).toBe(202);
  const uploaded = await h.waitTask(up.body.uri);
  expect(uploaded.taskState, JSON.stringify(uploaded.taskErrors)).toBe('Completed');
  const extract = await h.call('PUT', `${uploaded.associatedResource.resourceUri}?extract=true&forceImport=true`, { raw: 'null', headers: { 'content-type': 'text/plain;charset=UTF-8' } });
  expect(extract.status, extract.text).toBe(202);
  return h.waitTask(extract.body.uri);
}

let h: BundleHarness;
beforeAll(async () => {
  h = await startBundleHarness();
});
afterAll(async () => h.close());

describe('bundled plan scripts that do not parse', () => {
  const good = '11111111-1111-4111-8111-111111111111';
  const heredoc = '22222222-2222-4222-8222-222222222222';
  const quotes = '33333333-3333-4333-8333-333333333333';
  const ignored = '44444444-4444-4444-8444-444444444444';
  const contents: Record<string, string> = {
    [good]: 'mount /dev/sda1 /\nupload -<<END /etc/hostname\n@HostName@\nEND\n',
    [heredoc]: 'mount /dev/sda1 /\necho fine\nupload -<<END /etc/motd\nnever ended\n',
    [quotes]: 'echo "abc\nmount /dev/sda1 /\nwrite /etc/x "a"b\n',
    [ignored]: 'mount /dev/sda1 /\n-echo x \'abc\n',
  };
  let task: any;

  beforeAll(async () => {
    task = await uploadAndExtract('syntax.zip', await bundleOf([
      script(good, 'good', contents[good]!),
      script(heredoc, 'unterminated here-document', contents[heredoc]!),
      script(quotes, 'bad quotes', contents[quotes]!),
      script(ignored, 'ignored bad line', contents[ignored]!),
    ]));
  });

  it('are extracted as they are, and the task completes with no taskErrors', async () => {
    expect(task.taskState, JSON.stringify(task.taskErrors)).toBe('Completed');
    expect(task.taskErrors).toEqual([]);
    for (const [id, content] of Object.entries(contents)) {
      const stored = await h.call('GET', `/rest/plan-scripts/${id}`);
      expect([stored.status, stored.body.content]).toEqual([200, content]);
    }
  });

  it('are each named in a warning with line, column and problem, saying the deploy fails until fixed', () => {
    const warnings = [
      `Plan script "unterminated here-document" (entry "${heredoc}_planscript.json") does not parse (line 3, column 8: here-document "END" is never terminated): it was extracted as it is, but a deploy that runs it will fail until the script is fixed`,
      `Plan script "bad quotes" (entry "${quotes}_planscript.json") does not parse (line 1, column 6: unterminated double quote; line 3, column 17: command arguments not separated by whitespace): it was extracted as it is, but a deploy that runs it will fail until the script is fixed`,
      `Plan script "ignored bad line" (entry "${ignored}_planscript.json") does not parse (line 2, column 9: unterminated single quote): it was extracted as it is, but a deploy that runs it will log an error at those "-" lines and go on`,
    ];
    expect(task.taskOutput).toEqual(['Extracted "syntax": 4 created, 0 overwritten', ...warnings]);
    expect(task.progressUpdates.map((u: any) => u.statusUpdate).filter((s: string) => s.startsWith('Plan script'))).toEqual(warnings);
  });

  it('are warned about again when the bundle is extracted again over them', async () => {
    const again = await h.call('PUT', `${task.associatedResource.resourceUri}?extract=true&forceImport=true`, { raw: 'null', headers: { 'content-type': 'text/plain;charset=UTF-8' } });
    expect(again.status, again.text).toBe(202);
    const done = await h.waitTask(again.body.uri);
    expect(done.taskState).toBe('Completed');
    expect(done.taskOutput[0]).toBe('Extracted "syntax": 0 created, 4 overwritten');
    expect(done.taskOutput.slice(1).map((w: string) => /^Plan script "([^"]+)"/.exec(w)?.[1])).toEqual(['unterminated here-document', 'bad quotes', 'ignored bad line']);
  });

  it('are refused when saved through the REST API, as before', async () => {
    const r = await h.call('POST', '/rest/plan-scripts', { body: { name: 'direct', planType: 'deploy', content: contents[heredoc] } });
    expect([r.status, r.body.errorCode]).toEqual([400, 'PLANSCRIPT_SYNTAX']);
  });
});

describe("HPE's published bundles", () => {
  const files = readdirSync(fixtures).filter((f) => f.endsWith('.zip')).sort();

  it.each(files)('%s extracts with no syntax warning', async (file) => {
    const task = await uploadAndExtract(file, readFileSync(join(fixtures, file)));
    expect(task.taskState, JSON.stringify(task.taskErrors)).toBe('Completed');
    expect(task.taskOutput).toHaveLength(1);
    expect(task.taskOutput[0]).toMatch(/^Extracted ".*": \d+ created, \d+ overwritten$/);
    expect(task.progressUpdates.filter((u: any) => u.statusUpdate.startsWith('Plan script'))).toEqual([]);
  });
});
