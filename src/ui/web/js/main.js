// @ts-check
// Boots the UI: the API client, the shell (navigation, live region, log out) and the route table.
import { Api } from './api.js';
import { h, replace } from './dom.js';
import { errorPanel } from './notice.js';
import { Router } from './router.js';
import { loginPage } from './pages/login.js';
import { dashboardPage } from './pages/dashboard.js';
import { planScriptListPage, planScriptPage } from './pages/plan-scripts.js';
import { buildPlanListPage, buildPlanPage } from './pages/build-plans.js';
import { deploymentPlanListPage, deploymentPlanPage } from './pages/deployment-plans.js';
import { previewPage } from './pages/preview.js';
import { goldenImageListPage, goldenImagePage } from './pages/golden-images.js';
import { osVolumeListPage, osVolumePage } from './pages/os-volumes.js';
import { bundleListPage, bundlePage } from './pages/bundles.js';
import { hardwareListPage, hardwarePage } from './pages/hardware.js';
import { templateListPage, templatePage } from './pages/templates.js';
import { profileListPage, profilePage, newProfilePage } from './pages/profiles.js';
import { taskListPage, taskPage } from './pages/tasks.js';

/** @type {[string, string][]} */
const sections = [
  ['Dashboard', '/'],
  ['Server profiles', '/server-profiles'],
  ['Profile templates', '/server-profile-templates'],
  ['Compute modules', '/server-hardware'],
  ['Deployment plans', '/deployment-plans'],
  ['OS build plans', '/build-plans'],
  ['Plan scripts', '/plan-scripts'],
  ['Golden images', '/golden-images'],
  ['OS volumes', '/os-volumes'],
  ['Artifact bundles', '/artifact-bundles'],
  ['Tasks', '/tasks'],
];

/** @type {[string, import('./router.js').Page][]} */
const routes = [
  ['/login', loginPage],
  ['/', dashboardPage],
  ['/plan-scripts', planScriptListPage],
  ['/plan-scripts/:id', planScriptPage],
  ['/build-plans', buildPlanListPage],
  ['/build-plans/:id', buildPlanPage],
  ['/deployment-plans', deploymentPlanListPage],
  ['/deployment-plans/:id/preview', previewPage],
  ['/deployment-plans/:id', deploymentPlanPage],
  ['/golden-images', goldenImageListPage],
  ['/golden-images/:id', goldenImagePage],
  ['/os-volumes', osVolumeListPage],
  ['/os-volumes/:id', osVolumePage],
  ['/artifact-bundles', bundleListPage],
  ['/artifact-bundles/:id', bundlePage],
  ['/server-hardware', hardwareListPage],
  ['/server-hardware/:id', hardwarePage],
  ['/server-profile-templates', templateListPage],
  ['/server-profile-templates/:id', templatePage],
  ['/server-profiles', profileListPage],
  ['/server-profiles/new', newProfilePage],
  ['/server-profiles/:id', profilePage],
  ['/tasks', taskListPage],
  ['/tasks/:id', taskPage],
  ['*', (ctx) => replace(ctx.main, h('h1', { tabindex: '-1', text: 'Page not found' }), h('p', {}, 'No page here. ', h('a', { href: '/', 'data-nav': '', text: 'Go to the dashboard' })))],
];

function start() {
  const main = /** @type {HTMLElement} */ (document.getElementById('main'));
  const nav = /** @type {HTMLElement} */ (document.getElementById('nav'));
  const topbar = /** @type {HTMLElement} */ (document.getElementById('topbar'));
  const live = /** @type {HTMLElement} */ (document.getElementById('live'));
  /** @type {AbortController | undefined} */
  let current;
  const api = new Api({ storage: sessionStorage, onUnauthorized: () => router.navigate(`/login?next=${encodeURIComponent(location.pathname)}`) });

  replace(nav, h('ul', {}, sections.map(([label, href]) => h('li', {}, h('a', { href, 'data-nav': '', text: label })))));

  /** @param {string} text */
  const announce = (text) => {
    // Clearing first makes screen readers repeat an identical message.
    live.textContent = '';
    setTimeout(() => (live.textContent = text), 30);
  };

  const router = new Router({
    routes,
    onPage: async (path, page, params) => {
      current?.abort();
      current = new AbortController();
      const loggedIn = api.session !== null;
      if (!loggedIn && path !== '/login') {
        router.navigate(`/login?next=${encodeURIComponent(path)}`);
        return;
      }
      topbar.hidden = !loggedIn;
      nav.hidden = !loggedIn;
      const section = sections.filter(([, href]) => href === '/' ? path === '/' : path.startsWith(href)).pop();
      for (const a of nav.querySelectorAll('a')) {
        if (a.getAttribute('href') === section?.[1]) a.setAttribute('aria-current', 'page');
        else a.removeAttribute('aria-current');
      }
      replace(main, h('p', { class: 'loading', text: 'Loading…' }));
      const ctx = { api, main, params, query: new URLSearchParams(location.search), signal: current.signal, navigate: (/** @type {string} */ p) => router.navigate(p), announce };
      try {
        await page(ctx);
        window.scrollTo(0, 0);
        document.title = `${main.querySelector('h1')?.textContent ?? 'Streamer'} · Streamer`;
        // Move focus to the new page's heading so keyboard and screen-reader users start there.
        /** @type {HTMLElement | null} */ (main.querySelector('h1'))?.focus();
      } catch (error) {
        if (ctx.signal.aborted) return;
        replace(main, h('h1', { tabindex: '-1', text: 'Something went wrong' }), errorPanel(error));
      }
    },
  });

  document.getElementById('logout')?.addEventListener('click', () => {
    void api.logout().finally(() => router.navigate('/login'));
  });
  void router.show(location.pathname + location.search);
}

start();
