// soapbridge's dashboard: a single page over the admin API, routed by the
// URL's hash (#/services, #/services/NAME, #/services/NAME/operations/OP,
// #/services/NAME/auth, #/keys, #/calls).
import { h, announce, when, copyButton, confirmDialog } from './dom.js';
import { api, session, login, logout, setCSRF, setLoggedOutHandler, problemView, APIError } from './api.js';
import { Form } from './form.js';
import { rawMember, pretty, prettyXML } from './json.js';
import { diagnosePanel } from './diagnose.js';
import { authForm } from './auth.js';

const main = document.getElementById('main');
const top = document.getElementById('top');
let loggedIn = false;
let loginNotice = '';
let renderSeq = 0;

const enc = encodeURIComponent;

// show replaces the page's content, sets the title and moves the focus to
// the heading, so keyboard and screen reader users land on the new page.
function show(title, ...content) {
  document.title = `${title} · soapbridge`;
  const h1 = h('h1', { tabindex: '-1' }, title);
  main.replaceChildren(h1, ...content.flat().filter((c) => c !== null && c !== undefined && c !== false));
  h1.focus();
  for (const a of top.querySelectorAll('nav a')) {
    const current = location.hash.startsWith('#/' + a.dataset.nav) || (a.dataset.nav === 'services' && (location.hash === '' || location.hash === '#/'));
    if (current) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
  }
}

function errorPage(title, err) {
  if (!loggedIn) return; // a 401: the login is showing
  show(title, problemView(err), h('p', {}, h('a', { href: '#/services' }, 'Back to the services')));
}

// newTab is a link that opens in a new tab, and says so to screen readers.
function newTab(href, text, attrs) {
  return h('a', { ...attrs, href, target: '_blank' }, text, h('span', { class: 'visually-hidden' }, ' (opens in a new tab)'));
}

function statusClass(status) {
  if (!status) return 'badge';
  if (status < 300) return 'badge ok';
  if (status < 500) return 'badge warn';
  return 'badge bad';
}

// ---- login ----------------------------------------------------------------

function loginView() {
  top.hidden = true;
  const keyInput = h('input', { id: 'login-key', type: 'password', autocomplete: 'off', spellcheck: 'false', required: true, 'aria-describedby': 'login-help' });
  const out = h('div', { id: 'login-error' });
  const form = h('form', { id: 'login-form', class: 'card narrow', novalidate: true },
    h('div', { class: 'row' }, h('label', { for: 'login-key' }, 'Admin API key'), keyInput,
      h('p', { class: 'hint', id: 'login-help' },
        'An admin key (sbk_…). A first start writes one to admin.key in the data directory; ',
        h('code', {}, 'soapbridge keys create --admin'), ' makes more. The key stays on the server after you log in.')),
    out,
    h('button', { type: 'submit' }, 'Log in'));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    out.replaceChildren();
    if (!keyInput.value.trim()) { out.append(problemView({ problem: { title: 'Missing key', detail: 'Paste an admin API key.' } })); keyInput.focus(); return; }
    try {
      await login(keyInput.value);
      keyInput.value = '';
      loggedIn = true;
      loginNotice = '';
      top.hidden = false;
      if (!location.hash.startsWith('#/')) location.hash = '#/services'; else route();
    } catch (err) {
      keyInput.value = '';
      out.append(problemView(err, 'Login failed'));
      keyInput.focus();
    }
  });
  show('Log in to soapbridge', loginNotice ? h('p', { class: 'notice', role: 'alert' }, loginNotice) : null, form);
  keyInput.focus();
}

setLoggedOutHandler((msg) => {
  if (!loggedIn) return;
  loggedIn = false;
  setCSRF('');
  loginNotice = msg;
  loginView();
});

document.getElementById('logout').addEventListener('click', async () => {
  await logout();
  loggedIn = false;
  loginNotice = 'You are logged out.';
  loginView();
});

// ---- services ---------------------------------------------------------------

async function servicesView(seq) {
  let list;
  try { list = (await api('GET', '/v1/admin/services')).services || []; } catch (err) { return errorPage('Services', err); }
  if (seq !== renderSeq) return;
  const rows = list.map((s) => {
    const health = h('td', { class: 'health' }, h('span', { class: 'muted' }, '…'));
    api('GET', `/v1/admin/services/${enc(s.name)}/calls?limit=1`).then((r) => {
      const c = (r.calls || [])[0];
      health.replaceChildren(c
        ? h('span', {}, h('span', { class: statusClass(c.status) }, String(c.status)), ' ', c.outcome, ' ', h('span', { class: 'muted small' }, when(c.at)))
        : h('span', { class: 'muted' }, 'no calls yet'));
    }).catch(() => health.replaceChildren(h('span', { class: 'muted' }, 'unknown')));
    return h('tr', { dataset: { service: s.name } },
      h('th', { scope: 'row' }, h('a', { href: `#/services/${enc(s.name)}` }, s.name)),
      h('td', {}, (s.soap_versions || []).join(', ')),
      h('td', { class: 'break' }, s.endpoint || '—'),
      h('td', { class: 'num' }, String((s.operations || []).length)),
      health,
      h('td', { class: 'actions' },
        h('button', { type: 'button', class: 'secondary small', onclick: () => reimport(s.name), 'aria-label': `Re-import ${s.name}` }, 'Re-import'),
        h('button', { type: 'button', class: 'danger small', onclick: () => deleteService(s.name), 'aria-label': `Delete ${s.name}` }, 'Delete')));
  });
  const table = list.length
    ? h('table', { id: 'services-table' },
      h('caption', { class: 'visually-hidden' }, 'Registered services'),
      h('thead', {}, h('tr', {}, ['Service', 'SOAP', 'Endpoint', 'Operations', 'Last call', 'Actions'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, rows))
    : h('div', { class: 'empty', id: 'services-empty' },
      h('p', {}, h('strong', {}, 'No services yet.')),
      h('p', {}, 'Register one below: paste the URL of its WSDL, or upload the WSDL with the schemas it imports (or one zip of them). Its operations are then callable as REST at /v1/services/NAME/OPERATION.'));
  show('Services', h('div', { id: 'services-status' }), table, addServiceForm());
}

function addServiceForm() {
  const name = h('input', { id: 'add-name', type: 'text', autocomplete: 'off', 'aria-describedby': 'add-name-hint' });
  const url = h('input', { id: 'add-url', type: 'url', autocomplete: 'off', placeholder: 'https://host/service?wsdl', 'aria-describedby': 'add-url-hint' });
  const files = h('input', { id: 'add-files', type: 'file', multiple: true, accept: '.wsdl,.xsd,.xml,.zip', 'aria-describedby': 'add-files-hint' });
  const entry = h('input', { id: 'add-entry', type: 'text', autocomplete: 'off', 'aria-describedby': 'add-entry-hint' });
  const out = h('div', { id: 'add-result' });
  const submit = h('button', { type: 'submit' }, 'Add service');
  const form = h('form', { id: 'add-service', class: 'card', novalidate: true },
    h('h2', {}, 'Add a service'),
    h('div', { class: 'row' }, h('label', { for: 'add-url' }, 'WSDL URL'), url,
      h('p', { class: 'hint', id: 'add-url-hint' }, 'soapbridge fetches it and its imports (http or https). Behind HTTP Basic: https://user:password@host/…; the credentials are stored encrypted and never shown.')),
    h('p', { class: 'or' }, 'or'),
    h('div', { class: 'row' }, h('label', { for: 'add-files' }, 'Upload files'), files,
      h('p', { class: 'hint', id: 'add-files-hint' }, 'The WSDL and every schema it imports, or one .zip bundle.')),
    h('details', {}, h('summary', {}, 'More options'),
      h('div', { class: 'row' }, h('label', { for: 'add-name' }, 'Name'), name,
        h('p', { class: 'hint', id: 'add-name-hint' }, 'Optional: defaults to the WSDL\'s first service. Letters, digits, ".", "_", "-".')),
      h('div', { class: 'row' }, h('label', { for: 'add-entry' }, 'Entry WSDL'), entry,
        h('p', { class: 'hint', id: 'add-entry-hint' }, 'Only when several uploaded files are WSDLs: the file name of the one to register.'))),
    out, submit);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    out.replaceChildren();
    const hasFiles = files.files.length > 0;
    const hasURL = url.value.trim() !== '';
    if (hasFiles === hasURL) {
      out.append(problemView({ problem: { title: 'Nothing to register', detail: hasFiles ? 'Give either a URL or files, not both.' : 'Paste a WSDL URL or choose the WSDL file(s) to upload.' } }));
      (hasFiles ? url : url).focus();
      return;
    }
    let body;
    if (hasURL) {
      body = { wsdl_url: url.value.trim() };
      if (name.value.trim()) body.name = name.value.trim();
    } else {
      body = new FormData();
      if (name.value.trim()) body.append('name', name.value.trim());
      if (entry.value.trim()) body.append('entry', entry.value.trim());
      for (const f of files.files) body.append('files', f, f.name);
    }
    submit.disabled = true;
    submit.textContent = 'Compiling…';
    try {
      const s = await api('POST', '/v1/admin/services', body);
      announce(`Service ${s.name} registered`);
      location.hash = `#/services/${enc(s.name)}`;
    } catch (err) {
      out.append(problemView(err, 'The service was not registered'));
      out.querySelector('[role=alert]').focus?.();
    } finally {
      submit.disabled = false;
      submit.textContent = 'Add service';
    }
  });
  return form;
}

// reimportForm replaces a service's WSDL by a new URL or upload (PUT
// /v1/admin/services/{service}); its auth settings are kept.
function reimportForm(name) {
  const url = h('input', { id: 'reimport-url', type: 'url', autocomplete: 'off', placeholder: 'https://host/service?wsdl' });
  const files = h('input', { id: 'reimport-files', type: 'file', multiple: true, accept: '.wsdl,.xsd,.xml,.zip' });
  const out = h('div', { id: 'reimport-result' });
  const submit = h('button', { type: 'submit', class: 'secondary' }, 'Re-import from these');
  const form = h('form', { id: 'reimport-form', novalidate: true },
    h('div', { class: 'row' }, h('label', { for: 'reimport-url' }, 'New WSDL URL'), url),
    h('p', { class: 'or' }, 'or'),
    h('div', { class: 'row' }, h('label', { for: 'reimport-files' }, 'New files'), files),
    out, submit);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    out.replaceChildren();
    const hasFiles = files.files.length > 0;
    const hasURL = url.value.trim() !== '';
    if (hasFiles === hasURL) {
      out.append(problemView({ problem: { title: 'Nothing to re-import', detail: 'Give either a new URL or new files (the Re-import button above uses the stored source).' } }));
      return;
    }
    let body;
    if (hasURL) body = { wsdl_url: url.value.trim() };
    else { body = new FormData(); for (const f of files.files) body.append('files', f, f.name); }
    submit.disabled = true;
    try {
      const s = await api('PUT', `/v1/admin/services/${enc(name)}`, body);
      announce(`Re-imported ${s.name}`);
      route();
    } catch (err) {
      out.append(problemView(err, 'Not re-imported'));
    } finally {
      submit.disabled = false;
    }
  });
  return h('details', { class: 'card' }, h('summary', {}, 'Re-import from a new URL or new files'), form);
}

async function reimport(name) {
  const out = document.getElementById('services-status') || document.getElementById('service-status');
  out.replaceChildren(h('p', { class: 'muted' }, `Re-importing ${name}…`));
  try {
    const s = await api('PUT', `/v1/admin/services/${enc(name)}`);
    out.replaceChildren(h('p', { class: 'notice', role: 'status' }, `Re-imported ${s.name}: ${s.operations.length} operation(s). Its auth settings are kept.`));
    announce(`Re-imported ${s.name}`);
  } catch (err) {
    out.replaceChildren(problemView(err, `Re-importing ${name} failed`));
  }
}

async function deleteService(name) {
  const ok = await confirmDialog(`Delete ${name}?`, `Clients calling ${name} get 404 from now on, and its upstream credentials are deleted with it. This cannot be undone.`, `Delete ${name}`);
  if (!ok) return;
  try {
    await api('DELETE', `/v1/admin/services/${enc(name)}`);
    announce(`Service ${name} deleted`);
    if (location.hash === '#/services') route(); else location.hash = '#/services';
  } catch (err) {
    const out = document.getElementById('services-status') || document.getElementById('service-status');
    out.replaceChildren(problemView(err, `Deleting ${name} failed`));
  }
}

function callsTable(calls, id, showService) {
  if (!calls.length) return h('p', { class: 'empty', id: id + '-empty' }, 'No calls yet. Calls through the data API and "Try it" show up here.');
  const cols = ['Time', showService ? 'Service' : null, 'Operation', 'Port', 'Key', 'Status', 'Latency', 'Outcome', 'Error'].filter(Boolean);
  return h('table', { id },
    h('thead', {}, h('tr', {}, cols.map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, calls.map((c) => h('tr', {},
      h('td', {}, when(c.at)),
      showService ? h('td', {}, h('a', { href: `#/services/${enc(c.service)}` }, c.service)) : null,
      h('td', {}, c.operation), h('td', {}, c.port || '—'), h('td', {}, c.key || '—'),
      h('td', {}, h('span', { class: statusClass(c.status) }, String(c.status))),
      h('td', { class: 'num' }, `${c.latency_ms.toFixed(1)} ms`),
      h('td', {}, c.outcome), h('td', { class: 'break' }, c.error || '')))));
}

async function serviceView(seq, name) {
  let s;
  try { s = await api('GET', `/v1/admin/services/${enc(name)}`); } catch (err) { return errorPage(name, err); }
  let calls = [];
  try { calls = (await api('GET', `/v1/admin/services/${enc(name)}/calls?limit=10`)).calls || []; } catch (err) { /* shown as empty */ }
  if (seq !== renderSeq) return;
  const auth = s.auth || {};
  const dl = (pairs) => h('dl', { class: 'facts' }, pairs.filter(Boolean).map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
  // The data API's description of the service. The dashboard's links go
  // through /ui/api, which adds the session's key: the browser has none.
  const base = `/v1/services/${enc(s.name)}`;
  const diag = diagnosePanel(s);
  const several = s.ports.length > 1;
  const ports = h('table', { id: 'ports-table' },
    h('thead', {}, h('tr', {}, ['Port', 'SOAP', 'Endpoint', 'Binding', 'Style', 'Policies', several ? 'Actions' : null].filter(Boolean).map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, s.ports.map((p) => h('tr', { dataset: { port: p.name } },
      h('th', { scope: 'row' }, p.name), h('td', {}, p.soap_version), h('td', { class: 'break' }, p.endpoint),
      h('td', {}, p.binding), h('td', {}, p.style), h('td', {}, (p.policies || []).join(', ') || '—'),
      several ? h('td', { class: 'actions' }, h('button', { type: 'button', class: 'secondary small', 'aria-label': `Diagnose port ${p.name}`, onclick: () => diag.run(p.name, true) }, 'Diagnose')) : null))));
  const ops = s.operations.length
    ? h('table', { id: 'operations-table' },
      h('thead', {}, h('tr', {}, ['Operation', 'Style', 'SOAP action', 'Ports', ''].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, s.operations.map((o) => h('tr', {},
        h('th', { scope: 'row' }, h('a', { href: `#/services/${enc(s.name)}/operations/${enc(o.name)}` }, o.name),
          o.documentation ? h('p', { class: 'muted small' }, o.documentation) : null),
        h('td', {}, `${o.style}/${o.use}`), h('td', { class: 'break' }, o.soap_action || '—'),
        h('td', {}, o.ports.join(', ')), h('td', {}, o.one_way ? 'one-way' : '')))))
    : h('p', { class: 'empty' }, 'This WSDL has no callable operations.');
  const authText = [
    `${auth.type}${auth.username ? ' as ' + auth.username : ''}`,
    auth.realm ? `realm ${auth.realm}` : null,
    auth.password_set ? 'password set' : null,
    auth.keytab_set ? 'keytab set' : null,
    auth.signing_certificate ? `signing as ${auth.signing_certificate.subject}` : null,
    auth.client_certificate ? `client certificate ${auth.client_certificate.subject}` : null,
  ].filter(Boolean).join(', ');
  show(s.name,
    h('div', { id: 'service-status' }),
    h('div', { class: 'toolbar' },
      h('a', { class: 'button', href: `#/services/${enc(s.name)}/auth` }, 'Upstream auth'),
      h('button', { type: 'button', class: 'secondary', id: 'diagnose-top', onclick: () => diag.run('', true) }, 'Diagnose'),
      newTab(`/ui/api${base}/docs`, 'API docs', { class: 'button secondary', id: 'docs-link' }),
      newTab(`/ui/api${base}/openapi.json`, 'OpenAPI document', { class: 'button secondary', id: 'openapi-link' }),
      h('button', { type: 'button', class: 'secondary', onclick: () => reimport(s.name) }, 'Re-import'),
      h('button', { type: 'button', class: 'danger', onclick: () => deleteService(s.name) }, 'Delete')),
    dl([
      ['SOAP versions', s.soap_versions.join(', ')],
      ['Endpoint', s.endpoint + (auth.endpoint ? ' (override)' : '')],
      ['Source', s.wsdl_url ? s.wsdl_url + (s.wsdl_credentials ? ' (with stored credentials)' : '') : (s.files || []).join(', ') || '—'],
      ['REST base', `/v1/services/${s.name}/{operation}`],
      ['OpenAPI', h('span', {}, newTab(`/ui/api${base}/openapi.json`, 'openapi.json'), ', ',
        newTab(`/ui/api${base}/openapi.yaml`, 'openapi.yaml'), ', ', newTab(`/ui/api${base}/docs`, 'docs'),
        h('span', { class: 'muted small' }, ` · clients read them at ${base}/openapi.json with their API key`))],
      ['Security policies', (s.policies || []).join(', ') || 'none declared'],
      ['Expected upstream auth', (s.expected_auth || []).join(', ') || 'none declared'],
      ['Upstream auth', authText],
      ['Updated', when(s.updated_at)],
    ]),
    (s.warnings || []).length ? h('details', { class: 'warnings' }, h('summary', {}, `${s.warnings.length} warning(s) from compiling the WSDL`),
      h('ul', {}, s.warnings.map((w) => h('li', {}, w)))) : null,
    reimportForm(s.name),
    h('h2', {}, 'Operations'), ops,
    h('h2', {}, 'Ports'), ports,
    diag.element,
    h('h2', {}, 'Recent calls'), callsTable(calls, 'service-calls', false));
}

// ---- operation: form, raw JSON and Try it -------------------------------

function findOperation(desc, port, op) {
  for (const sv of desc.services || []) {
    for (const p of sv.ports || []) {
      if (p.name !== port) continue;
      for (const o of p.operations || []) if (o.name === op) return { port: p, op: o };
    }
  }
  return null;
}

async function operationView(seq, name, opName, query) {
  let s, desc;
  try {
    [s, desc] = await Promise.all([api('GET', `/v1/admin/services/${enc(name)}`), api('GET', `/v1/admin/services/${enc(name)}/describe`)]);
  } catch (err) { return errorPage(`${name} · ${opName}`, err); }
  if (seq !== renderSeq) return;
  const summary = s.operations.find((o) => o.name === opName);
  if (!summary) return errorPage(opName, new APIError(404, { title: 'Unknown operation', detail: `${name} has no operation ${opName}: it offers ${s.operations.map((o) => o.name).join(', ')}.` }));
  let portName = query.get('port') || summary.ports[0];
  const portSel = h('select', { id: 'op-port' }, summary.ports.map((p) => {
    const ps = s.ports.find((x) => x.name === p);
    return h('option', { value: p }, `${p} (SOAP ${ps ? ps.soap_version : '?'})`);
  }));
  portSel.value = portName;
  const formHost = h('div', { id: 'op-form' });
  const raw = h('textarea', { id: 'op-json', class: 'mono', rows: 14, spellcheck: 'false', 'aria-describedby': 'op-json-hint' });
  const rawPanel = h('div', { id: 'panel-json', role: 'tabpanel', 'aria-labelledby': 'tab-json', hidden: true },
    h('label', { for: 'op-json' }, 'Request JSON'), raw,
    h('p', { class: 'hint', id: 'op-json-hint' }, 'Sent as is (docs/mapping.md). The server checks it against the schema.'));
  const formPanel = h('div', { id: 'panel-form', role: 'tabpanel', 'aria-labelledby': 'tab-form' }, formHost);
  const errBox = h('div', { id: 'op-errors' });
  const result = h('section', { id: 'try-result', 'aria-live': 'polite', 'aria-label': 'Result' });
  let form = null;
  let mode = 'form';
  const buildForm = (value) => {
    const found = findOperation(desc, portName, opName);
    if (!found) { formHost.replaceChildren(h('p', { class: 'problem' }, `Port ${portName} has no ${opName}.`)); form = null; return; }
    form = new Form(found.op, desc.types);
    formHost.replaceChildren(form.render(value));
  };
  buildForm({});
  const tabForm = h('button', { type: 'button', role: 'tab', id: 'tab-form', 'aria-selected': 'true', 'aria-controls': 'panel-form' }, 'Form');
  const tabJSON = h('button', { type: 'button', role: 'tab', id: 'tab-json', 'aria-selected': 'false', 'aria-controls': 'panel-json', tabindex: '-1' }, 'JSON');
  const setMode = (m) => {
    errBox.replaceChildren();
    if (m === mode) return;
    if (m === 'json') {
      const { value } = form ? form.read() : { value: {} };
      raw.value = JSON.stringify(value, null, 2);
    } else {
      let v;
      try { v = raw.value.trim() ? JSON.parse(raw.value) : {}; } catch (e) {
        errBox.append(problemView({ problem: { title: 'The JSON does not parse', detail: e.message + '. Fix it, or stay in the JSON editor to send it anyway.' } }));
        return;
      }
      buildForm(v);
    }
    mode = m;
    tabForm.setAttribute('aria-selected', String(m === 'form'));
    tabJSON.setAttribute('aria-selected', String(m === 'json'));
    tabForm.tabIndex = m === 'form' ? 0 : -1;
    tabJSON.tabIndex = m === 'json' ? 0 : -1;
    formPanel.hidden = m !== 'form';
    rawPanel.hidden = m !== 'json';
  };
  tabForm.addEventListener('click', () => setMode('form'));
  tabJSON.addEventListener('click', () => setMode('json'));
  const tablist = h('div', { role: 'tablist', 'aria-label': 'Request editor', class: 'tabs' }, tabForm, tabJSON);
  tablist.addEventListener('keydown', (ev) => {
    if (ev.key !== 'ArrowRight' && ev.key !== 'ArrowLeft') return;
    const next = mode === 'form' ? tabJSON : tabForm;
    setMode(next === tabJSON ? 'json' : 'form');
    (mode === 'json' ? tabJSON : tabForm).focus();
  });
  portSel.addEventListener('change', () => {
    const { value } = form ? form.read() : { value: {} };
    portName = portSel.value;
    buildForm(value);
  });
  const tryBtn = h('button', { type: 'submit', id: 'try-it' }, 'Try it');
  const editor = h('form', { id: 'op-editor', novalidate: true },
    h('div', { class: 'row' }, h('label', { for: 'op-port' }, 'Port'), portSel),
    tablist, formPanel, rawPanel, errBox, tryBtn);
  editor.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    errBox.replaceChildren();
    let bodyText;
    if (mode === 'form') {
      const { value, errors } = form.read();
      if (errors.length) {
        errBox.append(h('div', { class: 'problem', role: 'alert' },
          h('p', { class: 'problem-title' }, `${errors.length} field(s) need fixing before sending`),
          h('ul', {}, errors.map((e) => h('li', {}, h('a', { href: '#', onclick: (x) => { x.preventDefault(); e.el.focus(); } }, e.pointer), ' ', e.message)))));
        errors[0].el.focus();
        return;
      }
      bodyText = JSON.stringify(value);
    } else {
      try { JSON.parse(raw.value || '{}'); } catch (e) {
        errBox.append(problemView({ problem: { title: 'The JSON does not parse', detail: e.message } }));
        raw.focus();
        return;
      }
      bodyText = raw.value.trim() || '{}';
    }
    tryBtn.disabled = true;
    tryBtn.textContent = 'Calling…';
    result.replaceChildren(h('p', { class: 'muted' }, 'Calling the upstream…'));
    try {
      const { data, text } = await api('POST', `/v1/admin/services/${enc(name)}/try/${enc(opName)}?port=${enc(portName)}`, bodyText, { raw: true });
      showResult(result, data, text, name, opName, portName, bodyText);
      announce(`Answered HTTP ${data.status} in ${data.latency_ms} milliseconds`);
    } catch (err) {
      result.replaceChildren(problemView(err, 'Try it failed'));
    } finally {
      tryBtn.disabled = false;
      tryBtn.textContent = 'Try it';
    }
  });
  show(`${name} · ${opName}`,
    h('p', {}, h('a', { href: `#/services/${enc(name)}` }, `← ${name}`), ' · ', `${summary.style}/${summary.use}`,
      summary.soap_action ? [' · SOAPAction ', h('code', {}, summary.soap_action)] : null),
    summary.documentation ? h('p', { class: 'doc' }, summary.documentation) : null,
    h('div', { class: 'split' }, h('div', { class: 'card' }, editor), result));
}

// curlCommand is the call the data API takes, with a key placeholder: the
// page never has, and never shows, a key.
function curlCommand(name, op, port, body, multiPort) {
  const q = (s) => `'${s.replace(/'/g, `'\\''`)}'`;
  const url = `${location.origin}/v1/services/${enc(name)}/${enc(op)}${multiPort ? '?port=' + enc(port) : ''}`;
  return `curl -sS -X POST ${q(url)} \\\n  -H "X-API-Key: $SOAPBRIDGE_API_KEY" \\\n  -H 'Content-Type: application/json' \\\n  -d ${q(body)}`;
}

function showResult(result, data, text, name, op, port, bodyText) {
  const body = rawMember(text, 'body');
  const curl = curlCommand(name, op, port, bodyText, true);
  const block = (title, id, content, copyText) => h('div', { class: 'block' },
    h('div', { class: 'block-head' }, h('h3', { id: id + '-title' }, title), copyButton('Copy', () => copyText || content)),
    h('pre', { id, class: 'mono', tabindex: '0', 'aria-labelledby': id + '-title' }, content || '(none)'));
  result.replaceChildren(
    h('h2', {}, 'Result'),
    h('dl', { class: 'facts', id: 'try-facts' },
      h('dt', {}, 'HTTP status'), h('dd', {}, h('span', { class: statusClass(data.status), id: 'try-status' }, String(data.status))),
      h('dt', {}, 'Latency'), h('dd', { id: 'try-latency' }, `${data.latency_ms.toFixed(1)} ms`),
      h('dt', {}, 'Port'), h('dd', {}, data.port),
      data.endpoint ? [h('dt', {}, 'Endpoint'), h('dd', { class: 'break' }, data.endpoint)] : null,
      data.upstream_status ? [h('dt', {}, 'Upstream HTTP'), h('dd', {}, String(data.upstream_status))] : null),
    block('Response JSON', 'try-body', pretty(body)),
    block('SOAP request', 'try-soap-request', prettyXML(data.soap_request), data.soap_request),
    block('SOAP response', 'try-soap-response', prettyXML(data.soap_response), data.soap_response),
    h('p', { class: 'hint' }, 'Passwords, configured header values and SOAP header blocks are shown as ***.'),
    block('curl', 'try-curl', curl));
}

// ---- upstream auth ----------------------------------------------------------

async function authView(seq, name) {
  let view;
  try { view = await api('GET', `/v1/admin/services/${enc(name)}/auth`); } catch (err) { return errorPage(`${name} · upstream auth`, err); }
  if (seq !== renderSeq) return;
  const out = h('div', { id: 'auth-result' });
  const host = h('div');
  const render = (v) => host.replaceChildren(authForm(name, v, out, render));
  render(view);
  show(`${name} · upstream auth`,
    h('p', {}, h('a', { href: `#/services/${enc(name)}` }, `← ${name}`)),
    h('p', { class: 'hint' }, 'How soapbridge authenticates to the SOAP service, for every call. Secrets (passwords, keys, keytabs, header values) are write-only: they are never shown again. Leave a secret or a file empty to keep the stored one.'),
    out, host);
}

// ---- keys ---------------------------------------------------------------------

async function keysView(seq) {
  let keys, services;
  try {
    [keys, services] = await Promise.all([api('GET', '/v1/admin/keys'), api('GET', '/v1/admin/services')]);
  } catch (err) { return errorPage('API keys', err); }
  if (seq !== renderSeq) return;
  keys = keys.keys || [];
  services = services.services || [];
  const out = h('div', { id: 'keys-status' });
  const rows = keys.map((k) => h('tr', { dataset: { key: k.name, state: k.state } },
    h('th', { scope: 'row' }, k.name, h('div', { class: 'muted small mono' }, k.id)),
    h('td', {}, k.admin ? 'admin' : (k.services || []).map((s) => s === '*' ? 'all services' : s).join(', ')),
    h('td', {}, h('span', { class: k.state === 'active' ? 'badge ok' : 'badge' }, k.state)),
    h('td', {}, when(k.created_at)), h('td', {}, k.expires_at ? when(k.expires_at) : 'never'),
    h('td', {}, when(k.last_used_at)),
    h('td', { class: 'actions' }, k.state === 'active'
      ? h('button', { type: 'button', class: 'danger small', 'aria-label': `Revoke ${k.name}`, onclick: () => revokeKey(k.name, out) }, 'Revoke')
      : null)));
  const table = keys.length
    ? h('table', { id: 'keys-table' }, h('thead', {}, h('tr', {}, ['Name', 'Scope', 'State', 'Created', 'Expires', 'Last used', 'Actions'].map((c) => h('th', { scope: 'col' }, c)))), h('tbody', {}, rows))
    : h('p', { class: 'empty' }, 'No keys yet.');
  show('API keys', out, newKeyForm(services, out), h('h2', {}, 'Keys'), table);
}

function newKeyForm(services, out) {
  const name = h('input', { id: 'key-name', type: 'text', autocomplete: 'off', required: true, 'aria-required': 'true' });
  const admin = h('input', { id: 'key-admin', type: 'checkbox' });
  const all = h('input', { id: 'key-all', type: 'checkbox', value: '*' });
  const boxes = services.map((s) => h('input', { type: 'checkbox', id: `key-svc-${s.name}`, value: s.name, class: 'key-svc' }));
  const expires = h('select', { id: 'key-expires', value: '' },
    [['', 'never'], ['1d', '1 day'], ['7d', '7 days'], ['30d', '30 days'], ['90d', '90 days'], ['365d', '1 year']].map(([v, t]) => h('option', { value: v }, t)));
  const scopes = h('fieldset', { class: 'group', id: 'key-scopes' }, h('legend', {}, 'May call'),
    h('div', { class: 'row inline' }, all, h('label', { for: 'key-all' }, 'every service (*)')),
    boxes.map((b, i) => h('div', { class: 'row inline' }, b, h('label', { for: b.id }, services[i].name))),
    services.length ? null : h('p', { class: 'muted small' }, 'No services yet: choose "every service" or register one first.'));
  const sync = () => { scopes.disabled = admin.checked; for (const b of boxes) b.disabled = admin.checked || all.checked; };
  admin.addEventListener('change', sync);
  all.addEventListener('change', sync);
  const err = h('div', { id: 'key-error' });
  const create = h('button', { type: 'submit' }, 'Create key');
  const form = h('form', { id: 'key-form', class: 'card', novalidate: true },
    h('h2', {}, 'Create a key'),
    h('div', { class: 'row' }, h('label', { for: 'key-name' }, 'Name', h('span', { class: 'req', title: 'required' }, ' *')), name,
      h('p', { class: 'hint' }, 'Who uses it, e.g. shop-frontend. Letters, digits, ".", "_", "-".')),
    scopes,
    h('div', { class: 'row inline' }, admin, h('label', { for: 'key-admin' }, 'Admin (this dashboard and the admin API, and every service)')),
    h('div', { class: 'row' }, h('label', { for: 'key-expires' }, 'Expires after'), expires),
    err, create);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    err.replaceChildren();
    const req = { name: name.value.trim() };
    if (admin.checked) req.admin = true;
    else req.services = all.checked ? ['*'] : boxes.filter((b) => b.checked).map((b) => b.value);
    if (expires.value) req.expires_in = expires.value;
    if (!req.name) { err.append(problemView({ problem: { title: 'Check the form', detail: 'Give the key a name.' } })); name.focus(); return; }
    if (!req.admin && !req.services.length) { err.append(problemView({ problem: { title: 'Check the form', detail: 'Choose the services the key may call, every service, or admin.' } })); all.focus(); return; }
    create.disabled = true;
    try {
      const k = await api('POST', '/v1/admin/keys', req);
      await keysView(renderSeq);
      const status = document.getElementById('keys-status');
      const keyBox = h('input', { id: 'new-key-value', type: 'text', readonly: true, class: 'mono', value: k.key, 'aria-describedby': 'new-key-hint', size: 60 });
      status.replaceChildren(h('div', { class: 'card new-key', id: 'new-key', role: 'region', 'aria-labelledby': 'new-key-title' },
        h('h2', { id: 'new-key-title' }, `Key ${k.name} created`),
        h('p', { id: 'new-key-hint' }, h('strong', {}, 'Copy it now: it is shown only this once. '), 'soapbridge keeps only its hash. Send it as the X-API-Key header.'),
        h('div', { class: 'control' }, keyBox, copyButton('Copy key', () => keyBox.value)),
        h('button', { type: 'button', class: 'secondary small', id: 'new-key-done', onclick: () => status.replaceChildren() }, 'Done, I copied it')));
      keyBox.focus();
      keyBox.select();
      announce(`Key ${k.name} created; copy it now`);
    } catch (e) {
      err.append(problemView(e, 'The key was not created'));
    } finally {
      create.disabled = false;
    }
  });
  return form;
}

async function revokeKey(name, out) {
  const ok = await confirmDialog(`Revoke ${name}?`, `Requests with the key ${name} are refused from now on. This cannot be undone.`, `Revoke ${name}`);
  if (!ok) return;
  try {
    await api('DELETE', `/v1/admin/keys/${enc(name)}`);
    await keysView(renderSeq);
    document.getElementById('keys-status').replaceChildren(h('p', { class: 'notice', role: 'status', id: 'key-revoked' }, `Key ${name} revoked.`));
    announce(`Key ${name} revoked`);
  } catch (err) {
    out.replaceChildren(problemView(err, `Revoking ${name} failed`));
  }
}

// ---- call log -------------------------------------------------------------------

async function callsView(seq, query) {
  const service = query.get('service') || '';
  let calls, services;
  try {
    [calls, services] = await Promise.all([
      api('GET', `/v1/admin/calls?limit=200${service ? '&service=' + enc(service) : ''}`), api('GET', '/v1/admin/services')]);
  } catch (err) { return errorPage('Call log', err); }
  if (seq !== renderSeq) return;
  const sel = h('select', { id: 'calls-service', value: service },
    h('option', { value: '' }, 'all services'), (services.services || []).map((s) => h('option', { value: s.name }, s.name)));
  sel.value = service;
  sel.addEventListener('change', () => { location.hash = sel.value ? `#/calls?service=${enc(sel.value)}` : '#/calls'; });
  show('Call log',
    h('div', { class: 'toolbar' }, h('label', { for: 'calls-service' }, 'Service'), sel,
      h('button', { type: 'button', class: 'secondary', onclick: () => route() }, 'Refresh')),
    h('p', { class: 'hint' }, 'The newest 200 calls. Bodies are never logged.'),
    callsTable(calls.calls || [], 'calls-table', true));
}

// ---- router ---------------------------------------------------------------------

async function route() {
  const seq = ++renderSeq;
  if (!loggedIn) { loginView(); return; }
  top.hidden = false;
  const hash = location.hash.startsWith('#/') ? location.hash.slice(2) : 'services';
  const [pathPart, queryPart] = hash.split('?');
  const query = new URLSearchParams(queryPart || '');
  const parts = pathPart.split('/').map(decodeURIComponent);
  if (parts[0] === 'services' && parts.length === 1) return servicesView(seq);
  if (parts[0] === 'services' && parts.length === 2) return serviceView(seq, parts[1]);
  if (parts[0] === 'services' && parts[2] === 'auth') return authView(seq, parts[1]);
  if (parts[0] === 'services' && parts[2] === 'operations' && parts[3]) return operationView(seq, parts[1], parts[3], query);
  if (parts[0] === 'keys') return keysView(seq);
  if (parts[0] === 'calls') return callsView(seq, query);
  show('Not found', h('p', {}, 'There is no such page. ', h('a', { href: '#/services' }, 'Go to the services.')));
}

window.addEventListener('hashchange', () => { if (location.hash === '' || location.hash.startsWith('#/')) route(); });

(async () => {
  const s = await session();
  loggedIn = !!s.authenticated;
  if (loggedIn) setCSRF(s.csrf);
  route();
})();
