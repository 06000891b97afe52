// Pages whose API routes the appliance does not mount yet (server profiles and templates, compute modules,
// OS volumes, golden-image details, the deployment preview), driven in Chromium against answers shaped as
// their route code and the reference document them. Only those paths are answered here (Playwright route
// interception); login and everything else go to the real appliance. When a route is mounted, its
// screenshot comes from e2e.test.ts instead.
import type { Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, startUiHarness, type UiHarness } from './harness.js';

const now = '2026-11-25T02:00:00.000Z';
const envelope = (category: string, id: string, name: string) => ({ id, uri: `/rest/${category}/${id}`, name, category, eTag: '1', created: now, modified: now, state: 'Normal', status: 'OK' });

const plan = {
  ...envelope('deployment-plans', 'dp1', 'RHEL 9 web server'), type: 'OEDeploymentPlanV5', description: '', hpProvided: false,
  oeBuildPlanURI: '/rest/build-plans/bp1', goldenImageURI: '/rest/golden-images/gi1',
  customAttributes: [
    { name: 'HostName', type: 'hostname', value: '', constraints: '{"helpText":""}', description: 'Host name of the server', editable: true, visible: true },
    { name: 'DomainName', type: 'fqdn', value: 'example.com', constraints: '{"helpText":""}', description: '', editable: true, visible: true },
    { name: 'RootPassword', type: 'password', value: '', constraints: '{"minlen":"8","maxlen":"64"}', description: '', editable: true, visible: true },
    { name: 'SwapPercent', type: 'number', value: '30', constraints: '{"minimum":"30","maximum":"75","increment":"5","unit":"percent"}', description: '', editable: true, visible: true },
    { name: 'SSH', type: 'option', value: 'Enabled', constraints: '{"options":["Enabled","Disabled"]}', description: '', editable: true, visible: true },
    { name: 'ManagementNIC', type: 'nic', value: null, constraints: '{"ipv4static":true,"ipv4dhcp":true,"ipv4disable":false,"parameters":["dns1","domain","gateway","ipaddress","mac","netmask"]}', description: '', editable: true, visible: true },
    { name: 'ImageTag', type: 'string', value: 'v1', constraints: '{}', description: '', editable: true, visible: false },
  ],
};
const settings = { osDeploymentPlanUri: plan.uri, osCustomAttributes: [{ name: 'DomainName', value: 'example.com' }], osVolumeUri: null };
const template = { ...envelope('server-profile-templates', 't1', 'web tier'), type: 'ServerProfileTemplateV8', description: 'Web servers', serverProfileDescription: '', osDeploymentSettings: settings };
const hardware = { ...envelope('server-hardware', 'h1', 'virtual-1'), driver: 'virtual', powerState: 'Off', serverProfileUri: null as string | null };
const steps = ['Clone the golden image', 'Run the build plan', 'Export the OS volume', 'Boot the compute module'];
const volume = {
  ...envelope('os-volumes', 'v1', 'OSVolume-1'), type: 'OSVolume', description: 'web01', size: 10 * 1024 ** 3, oeVolumeId: 'vol-7f3a',
  oeVolumeIQN: 'nbd://127.0.0.1:10809/e3b0c442', oeVolumeIp: '127.0.0.1', statelessServerUri: '/rest/server-profiles/p1',
  goldenVolumeUri: '/rest/golden-images/gi1', deploymentPlanUri: plan.uri, deploymentClusterUri: null, dependentArtifacts: null,
};
const image = {
  ...envelope('golden-images', 'gi1', 'RHEL 9.4 base'), type: 'GoldenImage', description: 'Captured after patching', size: 10 * 1024 ** 3,
  checkSum: 'a3f1c2…', readOnly: false, imageCapture: true, osVolumeURI: '/rest/os-volumes/v0', buildPlanUri: '/rest/build-plans/bp9', buildPlanName: 'RHEL generalize',
  sourceGoldenImageUri: '/rest/golden-images/gi0', importedFromBundle: false, bundleName: null, bundleURI: null, artifactBundleCategory: null, dependentArtifacts: null, format: 'raw',
};

let ui: UiHarness;
let posted: Record<string, unknown> | undefined;
let taskPolls = 0;
let posts = 0;
const puts: Record<string, unknown>[] = [];
let captured: Record<string, unknown> | undefined;
let templatePosted: Record<string, unknown> | undefined;
const powerCalls: { powerState: string; powerControl: string }[] = [];

function task(state: string, done: number) {
  return {
    type: 'TaskResourceV2', id: 'DEPLOY-1', uri: '/rest/tasks/DEPLOY-1', category: 'tasks', name: 'Create', owner: 'Administrator',
    taskState: state, taskStatus: state === 'Completed' ? 'Deployed web01' : steps[done] ?? '', percentComplete: state === 'Completed' ? 100 : done * 25,
    taskErrors: [], progressUpdates: steps.slice(0, done).map((s, i) => ({ id: i + 1, statusUpdate: s, timestamp: now })), taskOutput: [],
    associatedResource: { resourceUri: '/rest/server-profiles/p1', resourceName: 'web01', resourceCategory: 'server-profiles', associationType: 'MANAGED_BY' },
    steps: steps.map((name, i) => ({ name, state: i < done || state === 'Completed' ? 'Completed' : i === done ? 'Running' : 'Pending', startTime: i <= done ? now : null, endTime: i < done ? now : null })),
    created: now, modified: now,
  };
}

const answers: Record<string, (route: Route) => unknown> = {
  'GET /rest/server-profile-templates': () => ({ members: [template], total: 1, count: 1, start: 0 }),
  'GET /rest/server-profile-templates/t1': () => template,
  'POST /rest/server-profile-templates': (route) => {
    templatePosted = route.request().postDataJSON() as Record<string, unknown>;
    return { status: 202, body: { ...task('Completed', 4), id: 'TEMPLATE-1', uri: '/rest/tasks/TEMPLATE-1', steps: [], associatedResource: { resourceUri: template.uri, resourceName: template.name, resourceCategory: 'server-profile-templates' } } };
  },
  'GET /rest/server-profile-templates/t1/new-profile': () => ({ type: 'ServerProfileV12', name: '', description: '', serverHardwareUri: null, serverProfileTemplateUri: template.uri, osDeploymentSettings: settings }),
  'GET /rest/server-hardware': () => ({ members: [hardware], total: 1, count: 1, start: 0 }),
  'GET /rest/server-hardware/h1': () => hardware,
  'GET /rest/server-hardware/h1/console': () => 'BdsDxe: loading Boot0001 "UEFI NBD"\nweb01 login: ',
  'GET /rest/deployment-plans': () => ({ members: [plan], total: 1, count: 1, start: 0 }),
  'GET /rest/deployment-plans/dp1': () => plan,
  'POST /rest/deployment-plans/dp1/preview': () => ({
    log: ['mount /dev/sda3 /', 'upload - /etc/hostname', 'ImageStreamerLog: hostname set to web01'],
    changes: [
      { path: '/etc/hostname', change: 'modified', diff: '--- /etc/hostname\n+++ /etc/hostname\n@@ -1 +1 @@\n-localhost\n+web01' },
      { path: '/etc/sysconfig/network-scripts/ifcfg-eth0', change: 'added', diff: '+DEVICE=eth0\n+BOOTPROTO=static\n+IPADDR=192.0.2.10' },
      { path: '/etc/ssh/ssh_host_rsa_key', change: 'removed' },
    ],
  }),
  'GET /rest/server-profiles': () => ({ members: [], total: 0, count: 0, start: 0 }),
  'POST /rest/server-profiles': (route) => {
    posts += 1;
    // The first time, the appliance finds a problem the browser could not (as resolveAttributes words it).
    if (posts === 1) {
      return { status: 400, body: {
        errorCode: 'ATTRIBUTE_VALUES_INVALID', message: 'Cannot deploy "RHEL 9 web server": 1 value is not acceptable',
        details: 'Attribute "DomainName" is fixed by deployment plan "RHEL 9 web server" and cannot be set by a profile',
        recommendedActions: ['Correct the values named in the details and apply the profile again'],
        data: { problems: [{ name: 'DomainName', message: 'Attribute "DomainName" is fixed by deployment plan "RHEL 9 web server" and cannot be set by a profile' }] },
      } };
    }
    posted = route.request().postDataJSON() as Record<string, unknown>;
    return { status: 202, body: task('Running', 0) };
  },
  'GET /rest/tasks/DEPLOY-1': () => {
    taskPolls += 1;
    return taskPolls >= 5 ? task('Completed', 4) : task('Running', Math.min(taskPolls, 3));
  },
  'GET /rest/server-profiles/p1': () => ({
    ...envelope('server-profiles', 'p1', 'web01'), type: 'ServerProfileV12', description: '', serverHardwareUri: hardware.uri, serverProfileTemplateUri: template.uri, taskUri: '/rest/tasks/DEPLOY-1',
    osDeploymentSettings: { osDeploymentPlanUri: plan.uri, osVolumeUri: volume.uri, osCustomAttributes: (posted?.['osDeploymentSettings'] as { osCustomAttributes: unknown[] } | undefined)?.osCustomAttributes ?? [] },
  }),
  'PUT /rest/server-profiles/p1': (route) => {
    puts.push(route.request().postDataJSON() as Record<string, unknown>);
    return { status: 202, body: { ...task('Completed', 4), id: 'UPDATE-1', uri: '/rest/tasks/UPDATE-1', name: 'Update' } };
  },
  'DELETE /rest/server-profiles/p1': () => ({ status: 202, body: { ...task('Completed', 4), id: 'DELETE-1', uri: '/rest/tasks/DELETE-1', name: 'Delete' } }),
  'PUT /rest/server-hardware/h1/powerState': (route) => {
    const body = route.request().postDataJSON() as { powerState: string; powerControl: string };
    powerCalls.push(body);
    hardware.powerState = body.powerState;
    return { status: 202, body: { ...task('Completed', 4), id: 'POWER-1', uri: '/rest/tasks/POWER-1', name: 'Power', steps: [], associatedResource: { resourceUri: hardware.uri, resourceName: hardware.name, resourceCategory: 'server-hardware' } } };
  },
  'GET /rest/os-volumes/v1': () => volume,
  'GET /rest/os-volumes/v1/storage': () => ({ type: 'OSVolumeStorage', osVolumeUri: volume.uri, provisionedCapacity: volume.size, allocatedCapacity: 1_288_490_189, protocol: 'nbd', exportName: 'e3b0c442', exportAddress: '127.0.0.1', exportPort: 10809, exportUri: volume.oeVolumeIQN }),
  'GET /rest/os-volumes/archive/v1': () => 'Clone the golden image: done\nRun the build plan: 3 steps\nExport: nbd://127.0.0.1:10809/e3b0c442',
  'GET /rest/golden-images/gi1': () => image,
  'GET /rest/build-plans': () => ({ members: [{ ...envelope('build-plans', 'bp9', 'RHEL generalize'), oeBuildPlanType: 'capture', buildStep: [], customAttributes: [], hpProvided: false }], total: 1, count: 1, start: 0 }),
  'POST /rest/golden-images': (route) => {
    captured = route.request().postDataJSON() as Record<string, unknown>;
    return { status: 202, body: { ...task('Completed', 4), id: 'CAPTURE-1', uri: '/rest/tasks/CAPTURE-1', associatedResource: { resourceUri: image.uri, resourceName: image.name, resourceCategory: 'golden-images' } } };
  },
  'GET /rest/golden-images/gi1/storage': () => ({ type: 'GoldenImageStorage', goldenImageUri: image.uri, provisionedCapacity: image.size, allocatedCapacity: 65536, protocol: 'nbd', readOnly: true, exportName: 'golden-5d41402a', exportAddress: '127.0.0.1', exportPort: 10809, exportUri: 'nbd://127.0.0.1:10809/golden-5d41402a' }),
  'GET /rest/golden-images/archive/gi1': () => 'Captured from OS volume OSVolume-0 with build plan RHEL generalize',
};

/** Saves a screenshot unless the appliance mounts the route for real (then e2e.test.ts shoots the page). */
async function shotUnlessMounted(name: string, route: string) {
  if (!ui.routes.has(route)) await ui.shot(name);
}

beforeAll(async () => {
  ui = await startUiHarness();
  await ui.page.route('**/rest/**', async (route) => {
    const url = new URL(route.request().url());
    const key = `${route.request().method()} ${url.pathname}`;
    const answer = answers[key];
    if (answer === undefined) return route.continue();
    const result = answer(route);
    const { status, body } = typeof result === 'object' && result !== null && 'status' in result && 'body' in result && typeof result.status === 'number' ? { status: result.status, body: result.body } : { status: 200, body: result };
    return route.fulfill({ status, contentType: typeof body === 'string' ? 'text/plain' : 'application/json', body: typeof body === 'string' ? body : JSON.stringify(body) });
  });
  const { page } = ui;
  await page.goto(`${ui.baseUrl}/login`);
  await page.getByLabel('Password').fill(ADMIN_PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
}, 60_000);

afterAll(async () => {
  await ui?.close();
});

describe.sequential('pages over documented answers', () => {
  it('creates a template: choosing the deployment plan brings its attribute fields', async () => {
    const { page } = ui;
    await page.goto(`${ui.baseUrl}/server-profile-templates/new`);
    await page.getByRole('heading', { name: 'New server profile template' }).waitFor();
    expect(await page.locator('.attribute-form').count()).toBe(0);
    await page.getByLabel('Name', { exact: true }).fill('web tier');
    await page.getByLabel('Deployment plan').selectOption({ label: 'RHEL 9 web server' });
    await page.getByLabel('SwapPercent (number)').fill('40');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('heading', { name: 'Template web tier' }).waitFor();
    const settings = templatePosted?.['osDeploymentSettings'] as { osDeploymentPlanUri: string; osCustomAttributes: { name: string; value: string }[] };
    expect(settings.osDeploymentPlanUri).toBe(plan.uri);
    expect(settings.osCustomAttributes).toContainEqual({ name: 'SwapPercent', value: '40' });
  });

  it('generates the profile form from the plan\'s typed attributes, checks values as they are typed, and deploys', async () => {
    const { page } = ui;
    await page.goto(`${ui.baseUrl}/server-profiles/new?template=t1`);
    await page.getByRole('heading', { name: 'New server profile' }).waitFor();
    // Visible attributes only; NIC fields from its parameters (not mac); template values filled in.
    expect(await page.locator('.attribute-form [name="ImageTag"]').count()).toBe(0);
    expect(await page.locator('.attribute-form [name="ManagementNIC.mac"]').count()).toBe(0);
    expect(await page.locator('.attribute-form [name="DomainName"]').inputValue()).toBe('example.com');
    await page.getByLabel('Name', { exact: true }).fill('web01');
    await page.getByLabel('Compute module').selectOption({ label: 'virtual-1 (virtual)' });
    const host = page.getByLabel('HostName (hostname)');
    await host.fill('web01.example.com');
    await expect.poll(() => host.getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator(`#${await host.getAttribute('id')}-msg`).textContent()).toBe('Must be a host name without dots');
    const swap = page.getByLabel('SwapPercent (number)');
    await swap.fill('32');
    expect(await page.locator(`#${await swap.getAttribute('id')}-msg`).textContent()).toBe('Must be a step of 5 percent from 30');
    await page.getByLabel('ManagementNIC ipaddress').fill('192.0.2.300');
    await page.getByRole('button', { name: 'Create and deploy' }).click();
    // Refused in the browser: focus goes to the first bad field, nothing is sent.
    expect(await page.evaluate('document.activeElement?.name')).toBe('HostName');
    expect(posted).toBeUndefined();
    await shotUnlessMounted('profile-form-error', 'POST /rest/server-profiles');
    await host.fill('web01');
    await swap.fill('35');
    await page.getByLabel('ManagementNIC addressing').selectOption('userspecified');
    await page.getByLabel('ManagementNIC ipaddress').fill('192.0.2.10');
    await page.getByLabel('ManagementNIC netmask').fill('255.255.255.0');
    await page.getByLabel('RootPassword (password)').fill('s3cret-password');
    expect(await page.locator('[aria-invalid="true"]').count()).toBe(0);
    await page.getByRole('button', { name: 'Create and deploy' }).click();
    // The appliance's own check: its message, and the problem on the field it names.
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/^Cannot deploy "RHEL 9 web server": 1 value is not acceptable/);
    const domain = page.getByLabel('DomainName (fqdn)');
    expect(await domain.getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator(`#${await domain.getAttribute('id')}-msg`).textContent()).toMatch(/is fixed by deployment plan/);
    await domain.fill('example.com');
    await page.getByRole('button', { name: 'Create and deploy' }).click();
    await page.locator('.task-card .timeline').waitFor();
    await expect.poll(() => page.locator('.timeline .step-running').count()).toBe(1);
    await shotUnlessMounted('profile-deploying', 'POST /rest/server-profiles');
    await page.getByRole('heading', { name: 'Server profile web01' }).waitFor({ timeout: 30_000 });
    const sent = posted?.['osDeploymentSettings'] as { osDeploymentPlanUri: string; osCustomAttributes: { name: string; value: string }[] };
    expect(posted?.['name']).toBe('web01');
    expect(posted?.['serverHardwareUri']).toBe(hardware.uri);
    expect(sent.osDeploymentPlanUri).toBe(plan.uri);
    expect(Object.fromEntries(sent.osCustomAttributes.map((a) => [a.name, a.value]))).toMatchObject({
      HostName: 'web01', DomainName: 'example.com', SwapPercent: '35', SSH: 'Enabled', RootPassword: 's3cret-password',
      'ManagementNIC.constraint': 'userspecified', 'ManagementNIC.ipaddress': '192.0.2.10', 'ManagementNIC.netmask': '255.255.255.0',
    });
    await shotUnlessMounted('server-profile', 'GET /rest/server-profiles/{id}');
  });

  it('announces task progress in the live region while it polls', async () => {
    // The deployment above went Running → Completed; the live region said so last.
    await expect.poll(() => ui.page.locator('#live').textContent()).toBe('Create: Completed');
    const heard = await ui.announcements();
    expect(heard).toContain('Create: Running 0%');
    expect(heard).toContain('Create: Run the build plan, 25%');
    expect(heard.indexOf('Create: Completed')).toBeGreaterThan(heard.indexOf('Create: Run the build plan, 25%'));
    expect(await ui.page.locator('#live').getAttribute('aria-live')).toBe('polite');
    expect(taskPolls).toBeGreaterThanOrEqual(5);
  });

  it('redeploys a profile on request, keeping its values', async () => {
    const { page } = ui;
    await page.getByRole('button', { name: 'Redeploy' }).click();
    await expect.poll(() => puts.length).toBe(1);
    const settings = puts[0]?.['osDeploymentSettings'] as { forceOsDeployment?: boolean; osCustomAttributes: { name: string; value: string }[] };
    expect(settings.forceOsDeployment).toBe(true);
    expect(settings.osCustomAttributes).toContainEqual({ name: 'HostName', value: 'web01' });
    await page.getByRole('heading', { name: 'Server profile web01' }).waitFor();
  });

  it('opens the OS volume with its allocation, NBD export and log', async () => {
    const { page } = ui;
    await page.locator('.properties a[href="/os-volumes/v1"]').click();
    await page.getByRole('heading', { name: 'OS volume OSVolume-1' }).waitFor();
    const properties = (await page.locator('.properties').textContent()) ?? '';
    expect(properties).toContain('10 GiB');
    expect(properties).toContain('1.2 GiB (12%)');
    expect(properties).toContain('nbd://127.0.0.1:10809/e3b0c442');
    expect(await page.getByRole('meter').getAttribute('aria-valuenow')).toBe('12');
    // Related resources show by name once read.
    await expect.poll(() => page.locator('.properties a[href="/golden-images/gi1"]').textContent()).toBe('RHEL 9.4 base');
    await expect.poll(() => page.locator('.properties a[href="/server-profiles/p1"]').textContent()).toBe('web01');
    await shotUnlessMounted('os-volume', 'POST /rest/server-profiles');
  });

  it('captures a golden image from the OS volume with a capture build plan', async () => {
    const { page } = ui;
    await page.getByLabel('Golden image name').fill('RHEL 9.4 base');
    await page.getByLabel('Capture build plan').selectOption({ label: 'RHEL generalize' });
    await page.getByRole('button', { name: 'Capture' }).click();
    await page.getByRole('heading', { name: 'Golden image RHEL 9.4 base' }).waitFor();
    expect(captured).toEqual({ type: 'GoldenImage', name: 'RHEL 9.4 base', description: '', imageCapture: true, osVolumeURI: volume.uri, buildPlanUri: '/rest/build-plans/bp9' });
  });

  it('shows a compute module with power buttons and its console', async () => {
    const { page } = ui;
    await page.goto(`${ui.baseUrl}/server-hardware/h1`);
    await page.getByRole('heading', { name: 'Compute module virtual-1' }).waitFor();
    await expect.poll(() => page.getByLabel('Serial console').textContent()).toContain('web01 login:');
    await page.getByRole('button', { name: 'Power on' }).click();
    await expect.poll(() => page.locator('.page-header .badge').first().textContent()).toBe('On');
    expect(powerCalls).toEqual([{ powerState: 'On', powerControl: 'MomentaryPress' }]);
    await expect.poll(() => ui.announcements()).toContain('virtual-1 is On');
    await shotUnlessMounted('compute-module', 'GET /rest/server-hardware/{id}');
  });

  it('previews a deployment plan as a list of file changes with coloured diffs', async () => {
    const { page } = ui;
    await page.goto(`${ui.baseUrl}/deployment-plans/dp1/preview`);
    await page.getByRole('heading', { name: 'Preview RHEL 9 web server' }).waitFor();
    await page.getByLabel('HostName (hostname)').fill('web01');
    await page.getByRole('button', { name: 'Run preview' }).click();
    await page.getByRole('heading', { name: 'File changes (1 added, 1 modified, 1 removed)' }).waitFor();
    expect(await page.evaluate('document.activeElement?.textContent')).toBe('File changes (1 added, 1 modified, 1 removed)');
    expect(await page.locator('.diff-added').allTextContents()).toContain('+web01\n');
    expect(await page.locator('.diff-removed').allTextContents()).toContain('-localhost\n');
    await shotUnlessMounted('preview', 'POST /rest/deployment-plans/{id}/preview');
  });

  it('shows a captured golden image\'s lineage', async () => {
    const { page } = ui;
    await page.goto(`${ui.baseUrl}/golden-images/gi1`);
    await page.getByRole('heading', { name: 'Golden image RHEL 9.4 base' }).waitFor();
    const lineage = page.getByRole('list', { name: 'Lineage' });
    expect(await lineage.locator('a').evaluateAll((links) => links.map((a) => a.getAttribute('href')))).toEqual(['/golden-images/gi0', '/os-volumes/v0', '/build-plans/bp9']);
    expect(await page.locator('.properties code').allTextContents()).toContain('nbd://127.0.0.1:10809/golden-5d41402a');
    await shotUnlessMounted('golden-image', 'POST /rest/golden-images');
  });

  it('deletes a profile after asking, and returns to the list', async () => {
    const { page } = ui;
    await page.goto(`${ui.baseUrl}/server-profiles/p1`);
    await page.getByRole('heading', { name: 'Server profile web01' }).waitFor();
    let asked = '';
    page.once('dialog', (dialog) => {
      asked = dialog.message();
      void dialog.accept();
    });
    await page.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('heading', { name: 'Server profiles' }).waitFor();
    expect(asked).toMatch(/Delete server profile "web01"\? Its module is powered off and its OS volume deleted/);
  });

  it('cancels an upload the appliance has not answered yet', async () => {
    const { page } = ui;
    const held: Route[] = [];
    const hold = async (route: Route) => {
      if (route.request().method() !== 'POST') return route.fallback();
      held.push(route);
    };
    await page.route('**/rest/artifact-bundles', hold);
    try {
      await page.goto(`${ui.baseUrl}/artifact-bundles`);
      await page.getByLabel('Bundle zip').setInputFiles({ name: 'slow.zip', mimeType: 'application/zip', buffer: Buffer.alloc(64 * 1024) });
      await page.getByRole('button', { name: 'Upload bundle' }).click();
      const cancel = page.getByRole('button', { name: 'Cancel upload' });
      await cancel.waitFor();
      await expect.poll(() => held.length).toBe(1);
      await cancel.click();
      await page.getByText('Upload of slow.zip cancelled').waitFor();
      expect(await page.getByRole('alert').count()).toBe(0);
      expect(await cancel.isHidden()).toBe(true);
      expect(await page.getByRole('button', { name: 'Upload bundle' }).isEnabled()).toBe(true);
    } finally {
      await page.unroute('**/rest/artifact-bundles', hold);
    }
  });

  it('raised no script error and left no control unnamed', () => {
    expect(ui.pageErrors).toEqual([]);
    expect(ui.unlabelled).toEqual([]);
  });
});
