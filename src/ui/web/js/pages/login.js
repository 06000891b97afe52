// @ts-check
// Log in with the appliance's user name and password; the session id is kept for this browser tab.
import { field, h, replace } from '../dom.js';
import { noticeSlot } from '../notice.js';

/** @param {import('../router.js').PageContext} ctx */
export function loginPage(ctx) {
  const user = field('User name', h('input', { name: 'userName', autocomplete: 'username', required: true, value: 'Administrator' }));
  const password = field('Password', h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true }));
  const notice = noticeSlot();
  const submit = h('button', { type: 'submit', text: 'Log in' });
  const form = h('form', { class: 'login-form', 'aria-labelledby': 'login-title' },
    h('h1', { id: 'login-title', tabindex: '-1', text: 'Log in to Streamer' }),
    notice.el, user.wrapper, password.wrapper, submit);
  form.addEventListener('submit', (e) => void (async () => {
    e.preventDefault();
    submit.disabled = true;
    notice.clear();
    try {
      await ctx.api.login(user.input.value, password.input.value);
      sessionStorage.setItem('streamer.user', user.input.value);
      const next = ctx.query.get('next');
      ctx.navigate(next !== null && next.startsWith('/') && !next.startsWith('/login') ? next : '/');
    } catch (error) {
      notice.error(error, 'Cannot log in');
      /** @type {HTMLInputElement} */ (password.input).select();
      password.input.focus();
    } finally {
      submit.disabled = false;
    }
  })());
  replace(ctx.main, h('div', { class: 'login-page' }, form));
  setTimeout(() => password.input.focus(), 0);
}
