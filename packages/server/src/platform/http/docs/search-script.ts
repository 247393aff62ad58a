/**
 * @module platform/http/docs/search-script
 *
 * The reference page's one script, served from `/docs/search.js` under `script-src 'self'`. It
 * shows the filter box (hidden without script, since it would do nothing) and filters the
 * operations by the words in each one's `data-search` attribute. It only toggles `hidden` and
 * sets `textContent`, so it runs under `require-trusted-types-for 'script'` with no policy.
 */
export const SEARCH_SCRIPT = `'use strict';
(() => {
  const box = document.querySelector('[data-search-box]');
  const input = document.getElementById('search');
  const status = document.getElementById('search-status');
  if (box === null || input === null || status === null) return;
  const entries = Array.from(document.querySelectorAll('[data-search]'));
  const groups = Array.from(document.querySelectorAll('[data-group]'));
  const total = document.querySelectorAll('article[data-search]').length;
  const apply = () => {
    const terms = input.value.toLowerCase().split(/\\s+/).filter((term) => term !== '');
    for (const entry of entries) entry.hidden = !terms.every((term) => entry.dataset.search.includes(term));
    for (const group of groups) group.hidden = group.querySelector('article[data-search]:not([hidden])') === null;
    const shown = document.querySelectorAll('article[data-search]:not([hidden])').length;
    status.textContent = terms.length === 0 ? total + ' operations' : shown + ' of ' + total + ' operations match';
  };
  input.addEventListener('input', apply);
  box.hidden = false;
  apply();
})();
`;
