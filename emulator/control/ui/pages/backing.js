// Backing servers (Redis, PostgreSQL, Firestore behind the fault proxy): state, ports,
// restarts, and a kill button (SIGKILL; gcpsim restarts it as after a crash).
import { registerPage } from '../registry.js';
import { api, tryApi, h, table, act, section, pre } from '../lib.js';

registerPage({
  id: 'backing',
  title: 'Backing servers',
  async render(el, [focus]) {
    const data = h('div');
    el.append(h('h1', {}, 'Backing servers'), data);
    const refresh = async () => {
      const b = await tryApi('/_gcpsim/backing');
      const servers = Object.entries(b?.servers || {});
      data.replaceChildren(
        table(['Server', 'State', 'Port', 'Upstream port', 'Restarts', ''], servers.map(([name, s]) => [
          h('span', { id: `server-${name}`, class: name === focus ? 'focus' : '' }, name), s.state, String(s.port ?? ''), String(s.upstreamPort ?? ''),
          String(s.restarts ?? 0),
          h('button', { type: 'button', class: 'danger', onclick: () => {
            if (confirm(`Kill ${name}? gcpsim restarts it, as after a crash.`))
              act(() => api(`/_gcpsim/backing/${name}:kill`, { method: 'POST' }), `Killed ${name}`);
          } }, 'Kill')]), { label: 'Backing servers', empty: 'No backing servers in this stack.' }),
        b?.env && Object.keys(b.env).length ? section('Environment for your services', pre(b.env)) : '');
    };
    await refresh();
    return { refresh };
  },
});
