// Secret Manager: secrets, their versions and states. A payload is fetched only when its
// Reveal button is pressed (AccessSecretVersion, whose event records no payload) and is
// dropped again by Hide or by leaving the page.
import { registerPage } from '../registry.js';
import { api, listAll, h, a, kv, section, table, short, b64text, toast } from '../lib.js';

async function listPage(el, project) {
  const data = h('div');
  el.append(h('h1', {}, 'Secret Manager'), data);
  const refresh = async () => {
    const secrets = await listAll(`/v1/projects/${project}/secrets`, 'secrets');
    data.replaceChildren(table(['Secret', 'Replication', 'Created', 'Labels'], secrets.map((s) =>
      [a(short(s.name), 'secrets', s.name), s.replication?.automatic ? 'automatic' : 'user-managed', s.createTime,
        Object.entries(s.labels || {}).map(([k, v]) => `${k}=${v}`).join(', ')]), { label: 'Secrets', empty: 'No secrets.' }));
  };
  await refresh();
  return { refresh };
}

function revealCell(version) {
  const cell = h('span', { class: 'secret' });
  const button = h('button', { type: 'button', 'aria-label': `Reveal version ${short(version.name)}` }, 'Reveal');
  const hide = () => cell.replaceChildren(button);
  button.addEventListener('click', async () => {
    try {
      const r = await api(`/v1/${version.name}:access`);
      cell.replaceChildren(h('code', { class: 'payload' }, b64text(r.payload?.data)), ' ',
        h('button', { type: 'button', onclick: hide }, 'Hide'));
    } catch (e) {
      toast(e.message, 'error');
    }
  });
  hide();
  return cell;
}

async function secretPage(el, name) {
  const data = h('div');
  el.append(h('h1', {}, 'Secret ', short(name)), h('p', { class: 'muted' }, name), data);
  const refresh = async () => {
    const [s, versions] = await Promise.all([api(`/v1/${name}`), listAll(`/v1/${name}/versions`, 'versions')]);
    // Keep revealed payloads on screen across refreshes only by not redrawing them.
    const shown = new Map([...data.querySelectorAll('[data-version]')].map((r) => [r.dataset.version, r]));
    const rows = versions.map((v) => shown.get(v.name + v.state) || h('tr', { dataset: { version: v.name + v.state } },
      h('td', {}, short(v.name)), h('td', {}, v.state), h('td', {}, v.createTime), h('td', {}, v.destroyTime || ''),
      h('td', {}, v.state === 'ENABLED' ? revealCell(v) : '')));
    data.replaceChildren(
      kv([['Created', s.createTime], ['Expires', s.expireTime], ['Rotation', s.rotation ? JSON.stringify(s.rotation) : ''],
        ['Aliases', Object.entries(s.versionAliases || {}).map(([k, v]) => `${k}→${v}`).join(', ')],
        ['Topics', (s.topics || []).map((t) => t.name).join(', ')]]),
      section('Versions', versions.length ? h('table', { 'aria-label': 'Versions' },
        h('thead', {}, h('tr', {}, ['Version', 'State', 'Created', 'Destroyed', 'Payload'].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, rows)) : h('p', { class: 'muted' }, 'No versions.')));
  };
  await refresh();
  return { refresh };
}

registerPage({
  id: 'secrets',
  title: 'Secret Manager',
  async render(el, [name]) {
    const { project } = await api('/_gcpsim/health');
    return name ? secretPage(el, name) : listPage(el, project);
  },
});
