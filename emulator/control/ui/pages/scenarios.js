// Scenarios: `gcpsim test` runs each scenario file against a fresh emulator of its own,
// never against a running `gcpsim up`, so this instance has no results to show; the page
// says so and how to get them.
import { registerPage } from '../registry.js';
import { h } from '../lib.js';

registerPage({
  id: 'scenarios',
  title: 'Scenarios',
  render(el) {
    el.append(h('h1', {}, 'Scenarios'),
      h('p', {}, 'No scenario ran against this instance: ', h('code', {}, 'gcpsim test'),
        ' starts a fresh emulator on virtual time for every scenario file, so its results are in its own output.'),
      h('pre', {}, 'gcpsim test scenarios/ --junit results.xml --transcript events.jsonl'),
      h('p', { class: 'muted' }, 'A transcript is the same event log this console shows under Events, one JSON object per line.'));
  },
});
