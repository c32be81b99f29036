// Cloud Storage: buckets, an object browser by prefix, upload and download, an object's
// metadata and generations, notification configs and lifecycle rules.
import { registerPage } from '../registry.js';
import { api, listAll, h, a, kv, section, table, bytes, pre, act } from '../lib.js';

const enc = encodeURIComponent;

async function bucketsPage(el, project) {
  const data = h('div');
  el.append(h('h1', {}, 'Storage'), data);
  const refresh = async () => {
    const buckets = await listAll(`/storage/v1/b?project=${project}`, 'items');
    data.replaceChildren(table(['Bucket', 'Location', 'Storage class', 'Versioning', 'Created'], buckets.map((b) =>
      [a(b.name, 'storage', b.name), b.location, b.storageClass, b.versioning?.enabled ? 'on' : 'off', b.timeCreated]),
    { label: 'Buckets', empty: 'No buckets.' }));
  };
  await refresh();
  return { refresh };
}

function uploadForm(bucket, prefix) {
  const file = h('input', { type: 'file', name: 'file', 'aria-label': 'File to upload' });
  const name = h('input', { name: 'name', 'aria-label': 'Object name', placeholder: 'object name (default: prefix + file name)', size: 40 });
  const form = h('form', { class: 'row', 'aria-label': 'Upload an object' }, file, name, h('button', { type: 'submit' }, 'Upload'));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const f = file.files[0];
    if (!f) return;
    const objectName = name.value || prefix + f.name;
    act(() => api(`/upload/storage/v1/b/${enc(bucket)}/o?uploadType=media&name=${enc(objectName)}`,
      { method: 'POST', raw: f, type: f.type || 'application/octet-stream' }), `Uploaded ${objectName}`);
  });
  return form;
}

async function bucketPage(el, bucket, prefix) {
  const data = h('div');
  const crumbs = [a(bucket, 'storage', bucket)];
  let acc = '';
  for (const part of prefix.split('/').filter(Boolean)) {
    acc += `${part}/`;
    crumbs.push(' / ', a(part, 'storage', bucket, acc));
  }
  el.append(h('h1', {}, 'Bucket ', bucket), h('nav', { 'aria-label': 'Prefix', class: 'crumbs' }, crumbs),
    section('Upload', uploadForm(bucket, prefix)), data);
  const refresh = async () => {
    const [b, list, notes] = await Promise.all([
      api(`/storage/v1/b/${enc(bucket)}`),
      api(`/storage/v1/b/${enc(bucket)}/o?delimiter=/&prefix=${enc(prefix)}&maxResults=1000`),
      api(`/storage/v1/b/${enc(bucket)}/notificationConfigs`).catch(() => ({ items: [] })),
    ]);
    data.replaceChildren(
      section('Objects', table(['Name', 'Size', 'Type', 'Updated', 'Generation', ''], [
        ...(list.prefixes || []).map((p) => [a(p.slice(prefix.length), 'storage', bucket, p), '', 'folder', '', '', '']),
        ...(list.items || []).map((o) => [a(o.name.slice(prefix.length), 'storage', bucket, 'o', o.name), bytes(o.size), o.contentType, o.updated, o.generation,
          h('a', { href: `/storage/v1/b/${enc(bucket)}/o/${enc(o.name)}?alt=media`, download: o.name.split('/').pop() }, 'Download')]),
      ], { label: 'Objects', empty: 'No objects under this prefix.' }),
      list.nextPageToken ? h('p', { class: 'muted' }, 'Showing the first 1,000.') : ''),
      section('Notifications', table(['Id', 'Topic', 'Events', 'Prefix', 'Format'], (notes.items || []).map((n) =>
        [n.id, n.topic, (n.event_types || []).join(', ') || 'all', n.object_name_prefix || '', n.payload_format]), { label: 'Notifications' })),
      section('Lifecycle', b.lifecycle?.rule?.length ? pre(b.lifecycle.rule) : h('p', { class: 'muted' }, 'No lifecycle rules.')),
      section('Bucket metadata', pre(b)));
  };
  await refresh();
  return { refresh };
}

async function objectPage(el, bucket, name) {
  const data = h('div');
  el.append(h('h1', {}, 'Object ', name.split('/').pop()),
    h('p', {}, a(bucket, 'storage', bucket), ' / ', name), data);
  const refresh = async () => {
    const [o, versions] = await Promise.all([
      api(`/storage/v1/b/${enc(bucket)}/o/${enc(name)}`).catch(() => null),
      listAll(`/storage/v1/b/${enc(bucket)}/o?versions=true&prefix=${enc(name)}`, 'items'),
    ]);
    const gens = versions.filter((v) => v.name === name);
    const download = (g) => `/storage/v1/b/${enc(bucket)}/o/${enc(name)}?alt=media${g ? `&generation=${g}` : ''}`;
    data.replaceChildren(
      o ? h('p', {}, h('a', { href: download(), download: name.split('/').pop() }, 'Download the live generation')) : h('p', { class: 'muted' }, 'No live generation.'),
      section('Generations', table(['Generation', 'Size', 'Updated', 'Deleted', ''], gens.map((v) =>
        [v.generation, bytes(v.size), v.updated, v.timeDeleted || '', h('a', { href: download(v.generation), download: name.split('/').pop() }, 'Download')]),
      { label: 'Generations' })),
      o ? section('Metadata', kv([['Content type', o.contentType], ['Size', bytes(o.size)], ['MD5', o.md5Hash], ['CRC32C', o.crc32c],
        ['Metageneration', o.metageneration], ['Storage class', o.storageClass]]), o.metadata ? pre(o.metadata) : '', pre(o)) : '');
  };
  await refresh();
  return { refresh };
}

registerPage({
  id: 'storage',
  title: 'Storage',
  async render(el, [bucket, ...rest]) {
    const { project } = await api('/_gcpsim/health');
    if (!bucket) return bucketsPage(el, project);
    if (rest[0] === 'o' && rest.length > 1) return objectPage(el, bucket, rest.slice(1).join('/'));
    return bucketPage(el, bucket, rest.join('/'));
  },
});

