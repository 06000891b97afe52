// End to end in Debian's Chromium: log in → upload a golden image → import a bundle → create a profile from
// a template (a bad value first shows an error) → deploy to a `virtual` module → watch the task complete →
// open the OS volume. Each main page is saved to docs/screenshots/. Steps whose API routes the appliance
// does not mount yet are skipped by name (see `needs`), so they start running as soon as the routes exist.
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, listZip, mountedRoutes, startUiHarness, withProbeAppliance, type UiHarness } from './harness.js';

const BUNDLES = '/work/shared/fixtures/bundles';

let ui: UiHarness;
/** Follows a link of the main navigation. */
const nav = (name: string) => ui.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true }).click();
const state: { bundleExtracted?: boolean; goldenImage?: string; template?: string; profile?: string; osVolume?: string } = {};

// Top-level await: whether the routes a step needs are mounted decides whether it runs.
const { mounted, serverChecksSyntax } = await withProbeAppliance(async (running) => ({
  mounted: await mountedRoutes(running),
  serverChecksSyntax: await rejectsUnterminatedHereDocument(running.server.url),
}));
const needs = (...routes: string[]) => routes.every((r) => mounted.has(r));
const goldenImagesMounted = needs('POST /rest/golden-images', 'GET /rest/golden-images/{id}');
const profilesMounted = needs('POST /rest/server-profile-templates', 'POST /rest/server-profiles', 'GET /rest/server-profile-templates/{id}/new-profile');
const hardwareMounted = needs('GET /rest/server-hardware');
const volumesMounted = needs('GET /rest/os-volumes/{id}');
// The developer bundle carries a golden image, which only an appliance with a golden-image store can
// extract; the foundation bundle has none. LinuxMultiDistro's artifacts are writable (build plans to edit).
const bundles = [goldenImagesMounted ? 'HPE-ImageStreamer-Developer-2017-08-28-v5.0' : 'HPE_Foundation_Artifacts-5_00', 'LinuxMultiDistro-AB-v0.3-HPE-UEFI'];
let planScriptCount = 0;
const previewMounted = needs('POST /rest/deployment-plans/{id}/preview');

/** Whether the appliance checks plan-script syntax on create (then the editor marks the line). */
async function rejectsUnterminatedHereDocument(baseUrl: string): Promise<boolean> {
  const headers = { 'content-type': 'application/json', 'x-api-version': '3800' };
  const login = await fetch(`${baseUrl}/rest/login-sessions`, { method: 'POST', headers, body: JSON.stringify({ userName: 'Administrator', password: ADMIN_PASSWORD }) });
  const { sessionID } = (await login.json()) as { sessionID: string };
  const reply = await fetch(`${baseUrl}/rest/plan-scripts`, {
    method: 'POST', headers: { ...headers, auth: sessionID },
    body: JSON.stringify({ name: 'syntax-probe', planType: 'general', content: 'echo a\nupload -<<END /x\nno terminator\n' }),
  });
  return reply.status === 400;
}

beforeAll(async () => {
  ui = await startUiHarness();
}, 60_000);

afterAll(async () => {
  await ui?.close();
});

describe.sequential('web UI end to end', () => {
  it('refuses a wrong password with the appliance message, then logs in', async () => {
    const { page } = ui;
    await page.goto(`${ui.baseUrl}/`);
    await page.waitForURL(/\/login/);
    await page.getByLabel('User name').fill('Administrator');
    await page.getByLabel('Password').fill('wrong-password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/^Cannot log in: the user name or password is wrong/);
    await ui.shot('login');
    // Keyboard only: the password field has focus after a failure; typing and Enter log in.
    expect(await page.evaluate('document.activeElement?.name')).toBe('password');
    await page.keyboard.type(ADMIN_PASSWORD);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    // The new page's heading takes focus, so a screen reader starts there.
    expect(await page.evaluate('document.activeElement?.tagName')).toBe('H1');
    expect(await page.getByRole('navigation', { name: 'Main' }).isVisible()).toBe(true);
  });

  it.runIf(goldenImagesMounted)('uploads a golden image with progress and shows it', async () => {
    const { page } = ui;
    const raw = join(tmpdir(), `ui-e2e-${process.pid}.img`);
    const bytes = Buffer.alloc(4 * 1024 * 1024);
    bytes.write('STREAMER UI TEST IMAGE', 1024 * 1024);
    await writeFile(raw, bytes);
    await nav('Golden images');
    await page.getByRole('heading', { name: 'Golden images' }).waitFor();
    await page.getByLabel(/Image file/).setInputFiles(raw);
    await page.getByLabel('Name', { exact: true }).fill('ui-test-image');
    await page.getByRole('button', { name: 'Upload' }).click();
    await page.getByRole('heading', { name: 'Golden image ui-test-image' }).waitFor({ timeout: 60_000 });
    expect(await page.locator('.properties').textContent()).toContain('4194304 bytes');
    state.goldenImage = page.url().split('/').pop();
    await ui.shot('golden-image');
    await page.getByRole('link', { name: '← All golden images' }).click();
    await page.getByRole('cell', { name: 'ui-test-image' }).waitFor();
    await ui.shot('golden-images');
  });

  it('uploads and extracts HPE artifact bundles, watching each task', async () => {
    const { page } = ui;
    for (const bundle of bundles) {
      await nav('Artifact bundles');
      await page.getByRole('heading', { name: 'Artifact bundles' }).waitFor();
      await page.getByLabel('Bundle zip').setInputFiles(join(BUNDLES, `${bundle}.zip`));
      await page.getByRole('button', { name: 'Upload bundle' }).click();
      await page.getByRole('heading', { name: `Artifact bundle ${bundle}` }).waitFor({ timeout: 60_000 });
      const scripts = /Plan scripts \((\d+)\)/.exec((await page.locator('.bundle-contents').textContent()) ?? '');
      expect(scripts).not.toBeNull();
      planScriptCount += Number(scripts?.[1]);
      await page.getByRole('button', { name: 'Extract' }).click();
      await page.getByText(`Extracted ${bundle}`).waitFor({ timeout: 120_000 });
      expect(await page.locator('.task-card .badge').first().textContent()).toBe('Completed');
      if (bundle === bundles[0]) await ui.shot('artifact-bundle');
    }
  }, 300_000);

  it('creates a bundle from a chosen deployment plan, downloads it, and backs everything up', async () => {
    const { page } = ui;
    await nav('Artifact bundles');
    await page.getByText('Create a bundle').click();
    await page.getByLabel('Bundle name').fill('ui-made-bundle');
    const plan = page.locator('.chooser').filter({ hasText: 'Deployment plans' }).locator('input[type=checkbox]').first();
    await plan.check();
    await page.getByRole('button', { name: 'Create bundle' }).click();
    await page.getByRole('heading', { name: 'Artifact bundle ui-made-bundle' }).waitFor({ timeout: 60_000 });
    // The deployment plan brought its build plan and plan scripts along.
    const contents = (await page.locator('.bundle-contents').textContent()) ?? '';
    expect(contents).toMatch(/Deployment plans \(1\)/);
    expect(contents).toMatch(/OS build plans \(1\)/);
    expect(contents).not.toMatch(/Plan scripts \(0\)/);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download' }).click()]);
    expect(download.suggestedFilename()).toBe('ui-made-bundle.zip');
    const saved = join(tmpdir(), `ui-made-bundle-${process.pid}.zip`);
    await download.saveAs(saved);
    const stdout = await listZip(saved);
    expect(stdout).toMatch(/_deploymentplan\.json/);
    expect(stdout).toMatch(/MANIFEST\.MF/);
    // Backup of the deployment group: listed afterwards, with its own download.
    await nav('Artifact bundles');
    await page.getByRole('button', { name: 'Back up now' }).click();
    const backups = page.getByRole('region', { name: 'Backups' });
    await backups.getByRole('button', { name: 'Restore' }).waitFor({ timeout: 60_000 });
    const [backup] = await Promise.all([page.waitForEvent('download'), backups.getByRole('button', { name: 'Download' }).click()]);
    expect(backup.suggestedFilename()).toMatch(/\.zip$/);
    await ui.shot('artifact-bundles');
    // Restore asks first; accepted, it runs as a task to completion.
    page.once('dialog', (dialog) => void dialog.accept());
    await backups.getByRole('button', { name: 'Restore' }).click();
    await expect.poll(() => page.locator('.task-card .badge').first().textContent(), { timeout: 60_000 }).toBe('Completed');
    expect(await page.locator('.task-card .task-name').textContent()).toMatch(/\S/);
    // Delete asks too; the bundle is gone from the list afterwards.
    await page.getByRole('link', { name: 'ui-made-bundle' }).click();
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('heading', { name: 'Artifact bundles' }).waitFor();
    expect(await page.getByRole('link', { name: 'ui-made-bundle' }).count()).toBe(0);
  }, 180_000);

  it('shows plan scripts highlighted, and lists the attributes of a new script as it is typed', async () => {
    const { page } = ui;
    await nav('Plan scripts');
    await page.getByRole('heading', { name: 'Plan scripts' }).waitFor();
    await ui.shot('plan-scripts');
    const rows = await page.locator('table.data tbody tr').count();
    expect(rows).toBe(planScriptCount);
    // The filter keeps the rows whose name holds what is typed.
    const firstName = (await page.locator('table.data tbody tr a').first().textContent()) ?? '';
    await page.getByLabel('Filter plan scripts').fill(firstName.toUpperCase());
    const kept = await page.locator('table.data tbody tr a').allTextContents();
    expect(kept).toContain(firstName);
    expect(kept.length).toBeLessThan(rows);
    expect(await page.locator('.filter-count').textContent()).toBe(`${kept.length} of ${rows} plan scripts`);
    await page.getByLabel('Filter plan scripts').fill('');
    await page.locator('table.data tbody tr a').first().click();
    await page.locator('.code-editor').waitFor();
    expect(await page.locator('.code-highlight .tok-command').count()).toBeGreaterThan(0);
    // A new script: typed attributes show up in the list as they are typed.
    await nav('Plan scripts');
    await page.getByRole('link', { name: 'New plan script' }).click();
    await page.getByLabel('Name', { exact: true }).fill('ui-test-script');
    const editor = page.getByLabel('Script content');
    // Seen while typing: a here-document never closed is marked at the line that opens it.
    await editor.fill('mount /dev/sda1 /\nupload -<<END /etc/motd\nWelcome\n');
    await expect.poll(() => page.locator('.code-gutter .gutter-error').allTextContents()).toEqual(['2']);
    expect(await page.locator('.line-problems').textContent()).toBe('Line 2: The here-document is never closed: add a line holding only "END"');
    await ui.shot('plan-script-problem');
    await editor.fill('mount /dev/sda1 /\necho "@Greeting:hello@ from @HostName@"\nupload -<<END /etc/motd\nWelcome to @HostName@\nEND\n');
    await expect.poll(() => page.locator('.attribute-list').textContent()).toMatch(/@Greeting@ default "hello".*@HostName@/s);
    expect(await page.locator('.code-highlight .tok-heredoc-body').count()).toBe(1);
    expect(await page.locator('.code-gutter .gutter-error').count()).toBe(0);
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('heading', { name: 'Plan script ui-test-script' }).waitFor();
    expect(await page.locator('.code-highlight .tok-attr').allTextContents()).toEqual(['@Greeting:hello@', '@HostName@', '@HostName@']);
    await ui.shot('plan-script-editor');
  });

  it.runIf(serverChecksSyntax)('marks the line of a syntax error the appliance reports', async () => {
    const { page } = ui;
    await nav('Plan scripts');
    await page.getByRole('link', { name: 'New plan script' }).click();
    await page.getByLabel('Name', { exact: true }).fill('ui-bad-script');
    await page.getByLabel('Script content').fill('echo one\necho two\nupload -<<END /etc/x\nbody\n');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('alert').waitFor();
    expect(await page.locator('.code-gutter .gutter-error').count()).toBeGreaterThan(0);
    expect(await page.locator('.line-problems').textContent()).toMatch(/Line \d+/);
    await ui.shot('plan-script-error');
  });

  it('reorders build plan steps from the keyboard and saves the new order', async () => {
    const { page } = ui;
    await nav('OS build plans');
    await page.getByRole('heading', { name: 'OS build plans' }).waitFor();
    await ui.shot('build-plans');
    // The writable plan with the most steps.
    const links = page.locator('table.data tbody tr');
    const counts = await links.evaluateAll((rows) => rows.map((r) => (r.children[3]?.textContent === 'No' ? Number(r.children[2]?.textContent ?? 0) : -1)));
    const index = counts.indexOf(Math.max(...counts));
    await links.nth(index).locator('a').first().click();
    await page.locator('.steps').waitFor();
    const before = await page.locator('.step-script').allTextContents();
    expect(before.length).toBeGreaterThan(1);
    await page.getByRole('button', { name: `Move ${before[0]} down` }).focus();
    await page.keyboard.press('Enter');
    const after = await page.locator('.step-script').allTextContents();
    expect(after.slice(0, 2)).toEqual([before[1], before[0]]);
    // Focus follows the moved step, so a keyboard user can keep moving it.
    expect(await page.evaluate('document.activeElement?.getAttribute("aria-label")')).toBe(`Move ${before[0]} down`);
    await expect.poll(() => page.locator('#live').textContent()).toContain('moved to position 2');
    await ui.shot('build-plan');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Build plan saved').waitFor();
    await page.reload();
    await page.locator('.steps').waitFor();
    expect((await page.locator('.step-script').allTextContents()).slice(0, 2)).toEqual([before[1], before[0]]);
    // Put it back (drag and drop this time) so later steps deploy the plan as shipped.
    await page.locator('.step-item').nth(1).dragTo(page.locator('.step-item').nth(0));
    expect((await page.locator('.step-script').allTextContents()).slice(0, 2)).toEqual([before[0], before[1]]);
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Build plan saved').waitFor();
  });

  it('shows deployment plans with attribute flags', async () => {
    const { page } = ui;
    await nav('Deployment plans');
    await page.getByRole('heading', { name: 'Deployment plans' }).waitFor();
    await ui.shot('deployment-plans');
    await page.locator('table.data tbody tr a').first().click();
    await page.getByRole('heading', { name: /^Deployment plan / }).waitFor();
    expect(await page.locator('table.attributes input[type=checkbox]').count()).toBeGreaterThan(0);
    await ui.shot('deployment-plan');
  });

  it.runIf(profilesMounted && hardwareMounted && goldenImagesMounted)('creates a template, then a profile from it: a bad value shows an error, a good one deploys to a virtual module', async () => {
    const { page } = ui;
    // A virtual compute module to deploy to, added on the compute modules page.
    await nav('Compute modules');
    await page.getByRole('heading', { name: 'Compute modules' }).waitFor();
    await page.getByLabel('Module name').fill('ui-bay-1');
    await page.getByLabel('Driver').selectOption('virtual');
    await page.getByRole('button', { name: 'Add module' }).click();
    await page.getByRole('link', { name: 'ui-bay-1' }).waitFor();
    await ui.shot('compute-modules');
    // Template over the developer deployment plan.
    await nav('Profile templates');
    await page.getByRole('link', { name: 'New template' }).click();
    await page.getByLabel('Name', { exact: true }).fill('ui-template');
    // HPE's user deployment test plan: its DeploymentTesting attribute fails the deploy unless changed.
    await page.getByLabel('Deployment plan').selectOption({ label: 'User - Developer 1.0 - Deployment Test (UEFI) - 2017-03-24' });
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('heading', { name: 'Template ui-template' }).waitFor();
    await page.getByRole('link', { name: 'Create profile' }).click();
    await page.getByRole('heading', { name: 'New server profile' }).waitFor();
    await page.getByLabel('Name', { exact: true }).fill('ui-profile-1');
    await page.getByLabel('Compute module').selectOption({ index: 1 });
    // 300 characters are wrong for every typed field the form checks (NIC domains are left to the appliance).
    const first = page.locator('.attribute-form input:not([type=password]):not([name$=".domain"])').first();
    const original = await first.inputValue();
    await first.fill('x'.repeat(300));
    await expect.poll(() => first.getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator(`#${await first.getAttribute('id')}-msg`).textContent()).not.toBe('');
    await ui.shot('profile-form-error');
    await first.fill(original);
    await expect.poll(() => first.getAttribute('aria-invalid')).toBe(null);
    // "Fail_OS_Deployment" is run as a command on purpose; a harmless one lets the deploy go through.
    await page.locator('.attribute-form [name="DeploymentTesting"]').fill('echo "Attempt OS deployment"');
    await page.getByRole('button', { name: 'Create and deploy' }).click();
    await page.locator('.task-card').waitFor();
    await ui.shot('profile-deploying');
    // Either the profile page, or the deployment's failure cause as the page shows it.
    const failure = page.locator('.task-card .task-error').first();
    const outcome = await Promise.race([
      page.getByRole('heading', { name: 'Server profile ui-profile-1' }).waitFor({ timeout: 120_000 }).then(() => 'deployed'),
      failure.waitFor({ timeout: 120_000 }).then(async () => `deployment failed: ${await failure.textContent()}`),
    ]);
    expect(outcome).toBe('deployed');
    state.profile = page.url().split('/').pop();
    await ui.shot('server-profile');
  });

  it.runIf(previewMounted)('previews a deployment plan: the files it would change, with diffs', async () => {
    const { page } = ui;
    await nav('Deployment plans');
    // The plan the profile above deploys: the preview starts from that profile's values.
    await page.getByRole('link', { name: 'User - Developer 1.0 - Deployment Test (UEFI) - 2017-03-24' }).click();
    await page.getByRole('link', { name: 'Preview a deployment' }).click();
    await page.getByRole('heading', { name: /^Preview / }).waitFor();
    await page.getByRole('button', { name: 'Run preview' }).click();
    await page.getByRole('heading', { name: /^File changes/ }).waitFor({ timeout: 120_000 });
    expect(await page.locator('.preview-result code').allTextContents()).toContain('/dev/sda1:/EFI/BOOT/message.txt');
    expect(await page.locator('.preview-result .diff-added').count()).toBeGreaterThan(0);
    await ui.shot('preview');
  }, 180_000);

  it('shows why an upload failed, and the failed task with its cause', async () => {
    const { page } = ui;
    const bad = join(tmpdir(), `not-a-bundle-${process.pid}.zip`);
    await writeFile(bad, 'this is not a zip file\n');
    await nav('Artifact bundles');
    await page.getByLabel('Bundle zip').setInputFiles(bad);
    await page.getByRole('button', { name: 'Upload bundle' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/^Cannot read bundle "not-a-bundle-\d+": it is not a readable zip file/);
    await nav('Tasks');
    await page.getByLabel('Show').selectOption('Error');
    await page.locator('table.data tbody tr a').first().click();
    await page.getByRole('heading', { name: /^Task / }).waitFor();
    const cause = page.locator('.task-card .task-error');
    await cause.waitFor();
    expect(await cause.textContent()).toContain('Code: ');
    expect(await page.locator('.task-card .badge').first().textContent()).toBe('Error');
    await ui.shot('task-failed');
  });

  it('lists tasks and shows one with its steps and progress messages', async () => {
    const { page } = ui;
    await nav('Tasks');
    await page.getByRole('heading', { name: 'Tasks' }).waitFor();
    await ui.shot('tasks');
    await page.locator('table.data tbody tr a').first().click();
    await page.getByRole('heading', { name: /^Task / }).waitFor();
    await page.locator('.task-card .badge').first().waitFor();
    expect(await page.getByRole('progressbar').count()).toBe(1);
    await ui.shot('task');
  });

  it.runIf(profilesMounted && volumesMounted && goldenImagesMounted && hardwareMounted)('opens the OS volume of the deployed profile', async () => {
    const { page } = ui;
    await page.goto(`${ui.baseUrl}/server-profiles/${state.profile}`);
    await page.getByRole('heading', { name: 'Server profile ui-profile-1' }).waitFor();
    await page.locator('.properties a[href^="/os-volumes/"]').click();
    await page.getByRole('heading', { name: /^OS volume / }).waitFor();
    expect(await page.locator('.properties').textContent()).toMatch(/Size \(provisioned\)/);
    await ui.shot('os-volume');
  });

  it('ran without a script error in the page, and every control on every page has a name', () => {
    expect(ui.pageErrors).toEqual([]);
    expect(ui.unlabelled).toEqual([]);
  });

  it('shows the dashboard, and follows a change made through the API meanwhile', async () => {
    const { page } = ui;
    await nav('Dashboard');
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    const plansTile = page.getByRole('region', { name: 'Deployment plans' }).locator('.tile-count');
    const before = Number(await plansTile.textContent());
    await ui.shot('dashboard');
    // Another client adds a deployment plan; the open dashboard shows it on its next refresh.
    const headers = { 'content-type': 'application/json', 'x-api-version': '3800', auth: await page.evaluate<string>("sessionStorage.getItem('streamer.session')") };
    const buildPlans = (await (await fetch(`${ui.baseUrl}/rest/build-plans`, { headers })).json()) as { members: { uri: string; oeBuildPlanType: string }[] };
    const deploy = buildPlans.members.find((b) => b.oeBuildPlanType === 'deploy');
    const created = await fetch(`${ui.baseUrl}/rest/deployment-plans`, { method: 'POST', headers, body: JSON.stringify({ name: 'made-elsewhere', oeBuildPlanURI: deploy?.uri }) });
    expect(created.status).toBe(202);
    await expect.poll(async () => Number(await plansTile.textContent()), { timeout: 15_000 }).toBe(before + 1);
  });
});
