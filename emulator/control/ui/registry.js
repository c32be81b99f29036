// The console's pages, in menu order. A page is a module that calls registerPage:
//   registerPage({ id: 'bigquery', title: 'BigQuery', render(el, params, ctx) { … } })
// render() fills `el` for the route #/ID/params…; it may return { refresh() } which the
// console calls when events arrive or the clock moves, and { dispose() } on leaving.
// New services add a file under pages/ and one import line in pages/index.js.
const pages = [];

export function registerPage(page) {
  if (!page.id || !page.title || typeof page.render !== 'function') throw new Error('a page needs id, title and render');
  if (pages.some((p) => p.id === page.id)) throw new Error(`page ${page.id} registered twice`);
  pages.push(page);
}

export function allPages() {
  return pages;
}

export function findPage(id) {
  return pages.find((p) => p.id === id);
}
