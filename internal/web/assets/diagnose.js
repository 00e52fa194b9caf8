// The service page's Diagnose panel: runs POST
// /v1/admin/services/{service}/diagnose[?port=NAME] (the checks of
// docs/diagnose.md) through the dashboard and shows the findings in the
// order they were checked, each with its severity in words, the evidence
// and the fix, under an overall verdict.
import { h } from './dom.js';
import { api, problemView } from './api.js';

const enc = encodeURIComponent;

// Severities as the API names them, with the words and marks shown for
// them: the colour of a badge is never the only sign.
const SEVERITY = {
  error: { label: 'Error', mark: '✗', cls: 'badge bad', rank: 3 },
  warning: { label: 'Warning', mark: '!', cls: 'badge warn', rank: 2 },
  info: { label: 'Info', mark: 'i', cls: 'badge info', rank: 1 },
  ok: { label: 'OK', mark: '✓', cls: 'badge ok', rank: 0 },
  skipped: { label: 'Skipped', mark: '–', cls: 'badge', rank: 0 },
};

function severity(s) { return SEVERITY[s] || { label: s || 'unknown', mark: '?', cls: 'badge', rank: 0 }; }

function badge(s) {
  const v = severity(s);
  return h('span', { class: `${v.cls} severity`, dataset: { severity: s } }, h('span', { 'aria-hidden': 'true' }, v.mark + ' '), v.label);
}

function plural(n, word) { return `${n} ${word}${n === 1 ? '' : 's'}`; }

// verdict sums a report up: its worst severity and a sentence saying what
// to do about it.
export function verdict(findings) {
  let worst = 'ok';
  const count = {};
  for (const f of findings) {
    count[f.severity] = (count[f.severity] || 0) + 1;
    if (severity(f.severity).rank > severity(worst).rank) worst = f.severity;
  }
  const counts = ['error', 'warning', 'info', 'ok', 'skipped'].filter((s) => count[s])
    .map((s) => (s === 'error' || s === 'warning' ? plural(count[s], s) : `${count[s]} ${severity(s).label.toLowerCase()}`)).join(', ');
  let text;
  if (worst === 'error') {
    text = `${plural(count.error, 'error')} found. Start with the first one: the checks after it may depend on it.`;
  } else if (worst === 'warning') {
    text = `No check failed, but ${plural(count.warning, 'warning')} may explain failing calls.`;
  } else {
    text = 'No problem found: every check passed.';
  }
  return { worst, counts, text };
}

function reportView(rep) {
  const findings = rep.findings || [];
  const v = verdict(findings);
  const facts = [
    ['Port', `${rep.port} (SOAP ${rep.soap_version})`],
    ['Endpoint', rep.endpoint],
    ['Upstream auth', rep.auth || 'none'],
    rep.clock_skew_seconds !== undefined && rep.clock_skew_seconds !== null ? ['Clock skew', `${rep.clock_skew_seconds.toFixed(1)} s (the upstream's clock minus this machine's)`] : null,
  ].filter(Boolean);
  return [
    h('div', { class: `verdict ${v.worst}`, id: 'diagnose-verdict', dataset: { worst: v.worst } },
      h('p', {}, h('strong', {}, 'Verdict: '), badge(v.worst), ' ', v.text),
      h('p', { class: 'muted small' }, v.counts)),
    h('dl', { class: 'facts' }, facts.map(([k, val]) => [h('dt', {}, k), h('dd', { class: 'break' }, val)])),
    h('table', { id: 'diagnose-findings' },
      h('caption', { class: 'visually-hidden' }, `Findings for port ${rep.port}, in the order they were checked`),
      h('thead', {}, h('tr', {}, ['Severity', 'Check', 'Finding'].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, findings.map((f) => h('tr', { dataset: { check: f.check, severity: f.severity } },
        h('td', {}, badge(f.severity)),
        h('th', { scope: 'row' }, h('code', {}, f.check)),
        h('td', {},
          h('p', { class: 'finding-summary' }, f.summary),
          (f.evidence || []).length ? h('ul', { class: 'evidence mono small', 'aria-label': 'Evidence' }, f.evidence.map((e) => h('li', { class: 'break' }, e))) : null,
          f.fix ? h('p', { class: 'fix' }, h('strong', {}, 'Fix: '), f.fix) : null))))),
  ];
}

// diagnosePanel returns the panel of service s (from GET
// /v1/admin/services/{service}) and run(port, focus), which diagnoses a
// port ("" for the one chosen in the panel), brings the panel into view and,
// with focus, moves the focus to its heading. The status line is a live
// region: screen readers hear "running" and the verdict.
export function diagnosePanel(s) {
  const ports = s.ports || [];
  const select = ports.length > 1
    ? h('select', { id: 'diagnose-port' }, ports.map((p) => h('option', { value: p.name }, `${p.name} (SOAP ${p.soap_version})`)))
    : null;
  const button = h('button', { type: 'button', id: 'diagnose-run' }, 'Run diagnosis');
  const status = h('p', { id: 'diagnose-status', role: 'status', 'aria-live': 'polite', class: 'muted' });
  const result = h('div', { id: 'diagnose-result' });
  const title = h('h2', { id: 'diagnose-title', tabindex: '-1' }, 'Diagnose the upstream');
  const section = h('section', { id: 'diagnose', class: 'card', 'aria-labelledby': 'diagnose-title' },
    title,
    h('p', { class: 'hint' },
      'Runs the checks a person would when calls fail, in this order: DNS, TCP, TLS, the auth schemes offered, the SOAP version, ',
      'the WSDL\'s security policy against the configuration, and clock skew. It uses the service\'s own settings ',
      '(endpoint override, CA bundle, auth) and can take several seconds.'),
    h('div', { class: 'toolbar' }, select ? [h('label', { for: 'diagnose-port' }, 'Port'), select] : null, button),
    status, result);
  let busy = false;
  const run = async (port, focus) => {
    if (busy) return;
    if (port && select) select.value = port;
    port = select ? select.value : (ports[0] && ports[0].name) || '';
    busy = true;
    // aria-disabled, not disabled: a disabled button would drop the focus.
    button.setAttribute('aria-disabled', 'true');
    button.textContent = 'Diagnosing…';
    // Busy is the result, not the panel: a busy region would hold back
    // the status line's announcements.
    result.setAttribute('aria-busy', 'true');
    section.scrollIntoView({ block: 'start' });
    if (focus) title.focus();
    status.textContent = `Diagnosing port ${port}: running the checks…`;
    result.replaceChildren(h('progress', { id: 'diagnose-progress', 'aria-label': `Diagnosing port ${port}` }));
    try {
      const rep = await api('POST', `/v1/admin/services/${enc(s.name)}/diagnose${port ? '?port=' + enc(port) : ''}`);
      const v = verdict(rep.findings || []);
      result.replaceChildren(...reportView(rep));
      status.textContent = `Diagnosis of port ${rep.port} done: ${severity(v.worst).label}. ${v.counts}.`;
    } catch (err) {
      result.replaceChildren(problemView(err, 'The diagnosis did not run'));
      status.textContent = 'The diagnosis did not run.';
    } finally {
      busy = false;
      button.removeAttribute('aria-disabled');
      button.textContent = 'Run diagnosis';
      result.removeAttribute('aria-busy');
    }
  };
  button.addEventListener('click', () => run('', false));
  return { element: section, run };
}
