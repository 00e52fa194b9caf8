// The upstream auth form of a service: PUT /v1/admin/services/{service}/auth
// with every type and member of the API (docs/gateway.md, "Upstream auth").
//
// Contracts:
//   - Secrets are write-only. No field is ever filled with a secret (the API
//     never sends one back); a secret or secret file left empty is left out
//     of the request, which keeps the stored one, and the form says so next
//     to the field. Removal is explicit: client_certificate null,
//     ca_bundle "", soap_headers [], response_certificate "".
//   - Saving with no change keeps the stored auth as it is: every
//     non-secret setting is shown as stored and sent back.
//   - The form never changes an auth it does not understand: a type or a
//     member of the view (GET .../auth) that is not in AUTH_TYPES or
//     VIEW_MEMBERS shows a message, and saving is disabled.
//   - Errors, the page's own checks and the API's (by their pointers), are
//     tied to their fields (aria-invalid, aria-describedby) and listed with
//     links to them.
import { h, announce, when } from './dom.js';
import { api, problemView } from './api.js';

const enc = encodeURIComponent;

// AUTH_TYPES are the types of the API, with their labels.
export const AUTH_TYPES = {
  none: 'None',
  basic: 'HTTP Basic',
  wsse: 'WS-Security UsernameToken',
  ntlm: 'Windows (NTLM)',
  kerberos: 'Kerberos (Windows Negotiate)',
  x509: 'WS-Security X.509 signature',
};

// VIEW_MEMBERS are the members of the auth view that this form shows and
// keeps. A test compares them with gateway.AuthView: a member added there
// must be handled here before the dashboard edits such an auth.
export const VIEW_MEMBERS = [
  'type', 'username', 'password_set', 'password_type', 'domain', 'timestamp_ttl_seconds',
  'http_headers_set', 'soap_headers_set', 'endpoint', 'timeout_seconds', 'ca_bundle_set',
  'client_certificate', 'compensate_clock_skew',
  'realm', 'kdc', 'spn', 'spn_derived', 'keytab_set',
  'signing_certificate', 'verify_response_signature', 'response_certificate',
  // Kept by the server across saves; shown in the saved summary.
  'wsdl_fetched_with_auth',
];

const DAY = 24 * 60 * 60 * 1000;

// row is a labelled control with its hint and its error, both tied to
// it by aria-describedby.
function row(id, label, input, hint, extra) {
  input.setAttribute('aria-describedby', `${id}-hint ${id}-error`);
  return h('div', { class: 'row', id: `${id}-row` },
    h('label', { for: id }, label), input, extra || null,
    h('p', { class: 'hint', id: `${id}-hint` }, hint || ''),
    h('p', { class: 'field-error', id: `${id}-error` }));
}

// checkRow is a checkbox with its label after it, its hint and its error.
function checkRow(id, input, label, hint) {
  input.setAttribute('aria-describedby', `${id}-hint ${id}-error`);
  return h('div', { class: 'row', id: `${id}-row` },
    h('div', { class: 'row inline' }, input, h('label', { for: id }, label)),
    h('p', { class: 'hint', id: `${id}-hint` }, hint || ''),
    h('p', { class: 'field-error', id: `${id}-error` }));
}

// setHint sets the hint of the row of id under root.
function setHint(root, id, text) {
  const el = root.querySelector(`#${id}-hint`);
  if (el) el.textContent = text;
}

// radios is a group of radio buttons in a fieldset; value() is the checked
// one's value.
function radios(id, legend, name, options, checked) {
  const inputs = options.map(([value, label]) => h('input', { type: 'radio', id: `${id}-${value}`, name, value, checked: value === checked }));
  const el = h('fieldset', { class: 'choice', id },
    h('legend', {}, legend),
    inputs.map((r, i) => h('span', { class: 'row inline' }, r, h('label', { for: r.id }, options[i][1]))));
  return { el, inputs, value: () => (inputs.find((r) => r.checked) || inputs[0]).value };
}

async function fileText(input) {
  const f = input.files && input.files[0];
  return f ? f.text() : '';
}

async function fileBase64(input) {
  const f = input.files && input.files[0];
  if (!f) return '';
  const b = new Uint8Array(await f.arrayBuffer());
  let s = '';
  for (let i = 0; i < b.length; i += 0x8000) s += String.fromCharCode(...b.subarray(i, i + 0x8000));
  return btoa(s);
}

function hasFile(input) { return !!(input.files && input.files.length); }

// certFacts shows a stored certificate (a CertView: subject, issuer,
// not_after), with a warning when it has expired or expires within 30 days.
export function certFacts(c, id, now) {
  const end = new Date(c.not_after);
  const left = (end - (now || Date.now())) / DAY;
  let warn = null;
  if (left < 0) {
    warn = h('p', { class: 'cert-warning bad', id: `${id}-warning` }, h('strong', {}, 'Warning: '), `expired on ${when(c.not_after)}. Calls using it fail: upload a new one.`);
  } else if (left < 30) {
    const days = Math.floor(left);
    warn = h('p', { class: 'cert-warning', id: `${id}-warning` }, h('strong', {}, 'Warning: '),
      `expires ${days === 0 ? 'within a day' : `in ${days} day${days === 1 ? '' : 's'}`} (${when(c.not_after)}). Upload its successor before then.`);
  }
  return h('div', { class: 'cert', id },
    h('dl', { class: 'facts' },
      h('dt', {}, 'Subject'), h('dd', { class: 'break' }, c.subject),
      h('dt', {}, 'Issuer'), h('dd', { class: 'break' }, c.issuer),
      h('dt', {}, 'Expires'), h('dd', {}, when(c.not_after))),
    warn);
}

// certInput is a certificate with its private key, in either form of the
// API: PEM certificate and key files, or a PKCS#12 (.p12/.pfx) file and
// its password. stored is the CertView of the stored one, or null. read()
// gives {value} (undefined: keep the stored one; null: remove it) or
// {error, el}.
function certInput(id, legend, stored, opts) {
  const mode = radios(`${id}-mode`, 'Form', `${id}-mode`, [['pem', 'PEM certificate and key'], ['pkcs12', 'PKCS#12 (.p12 or .pfx)']], 'pem');
  const certFile = h('input', { id: `${id}-cert`, type: 'file', accept: '.pem,.crt,.cer' });
  const keyFile = h('input', { id: `${id}-key`, type: 'file', accept: '.pem,.key' });
  const p12File = h('input', { id: `${id}-p12`, type: 'file', accept: '.p12,.pfx' });
  const p12Pass = h('input', { id: `${id}-p12-password`, type: 'password', autocomplete: 'new-password', value: '' });
  const keep = stored ? 'Leave the files empty to keep the stored certificate; choose new ones to replace it.' : '';
  const pem = h('div', { id: `${id}-pem` },
    row(`${id}-cert`, 'Certificate (PEM)', certFile, 'The certificate, optionally followed by its chain.'),
    row(`${id}-key`, 'Private key (PEM)', keyFile, 'Its private key (PKCS#1, PKCS#8 or SEC 1), unencrypted. Sealed; never shown again.'));
  const p12 = h('div', { id: `${id}-pkcs12`, hidden: true },
    row(`${id}-p12`, 'PKCS#12 file', p12File, 'The certificate, its chain and its key in one .p12 or .pfx file. Sealed; never shown again.'),
    row(`${id}-p12-password`, 'PKCS#12 password', p12Pass, 'The file\'s password (empty if it has none). Never shown again.'));
  const remove = opts.removable && stored ? h('input', { type: 'checkbox', id: `${id}-remove` }) : null;
  const sync = () => { pem.hidden = mode.value() !== 'pem'; p12.hidden = mode.value() !== 'pkcs12'; };
  for (const r of mode.inputs) r.addEventListener('change', sync);
  const el = h('fieldset', { class: 'group', id },
    h('legend', {}, legend),
    opts.intro ? h('p', { class: 'hint' }, opts.intro) : null,
    stored ? [h('p', { class: 'stored' }, 'Stored:'), certFacts(stored, `${id}-stored`)] : h('p', { class: 'muted small', id: `${id}-none` }, 'None stored.'),
    keep ? h('p', { class: 'hint keep' }, keep) : null,
    mode.el, pem, p12,
    remove ? checkRow(`${id}-remove`, remove, opts.removeLabel, opts.removeHint) : null);
  const primary = () => (mode.value() === 'pem' ? certFile : p12File);
  const read = async () => {
    const chosen = mode.value() === 'pem' ? hasFile(certFile) || hasFile(keyFile) : hasFile(p12File);
    if (remove && remove.checked) {
      if (chosen) return { error: 'Either remove the stored certificate or choose a new one, not both.', el: remove };
      return { value: null };
    }
    if (mode.value() === 'pem') {
      if (!chosen) return { value: undefined };
      if (!hasFile(certFile)) return { error: 'Choose the certificate file too.', el: certFile };
      if (!hasFile(keyFile)) return { error: 'Choose the private key file too.', el: keyFile };
      return { value: { cert_pem: await fileText(certFile), key_pem: await fileText(keyFile) } };
    }
    if (!chosen) {
      if (p12Pass.value !== '') return { error: 'Choose the PKCS#12 file the password is for.', el: p12File };
      return { value: undefined };
    }
    return { value: { pkcs12: await fileBase64(p12File), password: p12Pass.value } };
  };
  return { el, read, primary, sync };
}

// pemText is a PEM text (certificates only: nothing secret) to paste or to
// load from a file, which fills the text area.
function pemText(id, label, hint) {
  const ta = h('textarea', { id, class: 'mono', rows: 3, spellcheck: 'false' });
  const file = h('input', { id: `${id}-file`, type: 'file', accept: '.pem,.crt,.cer', 'aria-label': `${label}: load from a file` });
  file.addEventListener('change', async () => {
    if (hasFile(file)) ta.value = await fileText(file);
  });
  const el = row(id, label, ta, hint, h('div', { class: 'control file-load' }, h('span', { class: 'small muted', 'aria-hidden': 'true' }, 'or load a file:'), file));
  return { el, ta, file };
}

// authForm is the form for the auth view v of service name; out shows the
// outcome, rerender(view) redraws the form after a save.
export function authForm(name, v, out, rerender) {
  const unknown = Object.keys(v).filter((k) => !VIEW_MEMBERS.includes(k));
  if (!Object.hasOwn(AUTH_TYPES, v.type) || unknown.length) return unknownAuth(name, v, unknown);
  const stored = (t) => t === v.type; // type-bound secrets are kept only with the same type

  const type = h('select', { id: 'auth-type', value: v.type }, Object.entries(AUTH_TYPES).map(([k, label]) => h('option', { value: k }, label)));
  const user = h('input', { id: 'auth-username', type: 'text', autocomplete: 'off', value: v.username || '' });
  // Never pre-filled: the API does not send passwords back, and an empty
  // field keeps the stored one.
  const pass = h('input', { id: 'auth-password', type: 'password', autocomplete: 'new-password', value: '' });
  const ptype = h('select', { id: 'auth-password-type', value: v.password_type || 'text' },
    h('option', { value: 'text' }, 'PasswordText'), h('option', { value: 'digest' }, 'PasswordDigest'));
  const ttl = h('input', { id: 'auth-ttl', type: 'text', inputmode: 'numeric', value: v.timestamp_ttl_seconds === undefined ? '300' : String(v.timestamp_ttl_seconds) });
  const domain = h('input', { id: 'auth-domain', type: 'text', autocomplete: 'off', value: v.domain || '' });

  // Kerberos.
  const krbMode = radios('auth-krb-credential', 'Credential', 'auth-krb-credential',
    [['password', 'Password'], ['keytab', 'Keytab file']], v.type === 'kerberos' && v.keytab_set ? 'keytab' : 'password');
  const keytab = h('input', { id: 'auth-keytab', type: 'file', accept: '.keytab,.kt' });
  const realm = h('input', { id: 'auth-realm', type: 'text', autocomplete: 'off', spellcheck: 'false', value: v.realm || '', placeholder: 'EXAMPLE.COM' });
  const kdc = h('input', { id: 'auth-kdc', type: 'text', autocomplete: 'off', spellcheck: 'false', value: v.kdc || '', placeholder: 'from DNS SRV records' });
  const spn = h('input', { id: 'auth-spn', type: 'text', autocomplete: 'off', spellcheck: 'false', value: v.spn || '', placeholder: v.spn_derived || 'HTTP/ and the endpoint\'s host' });

  // X.509.
  const signing = certInput('auth-signing', 'Signing certificate', stored('x509') ? v.signing_certificate || null : null, {
    intro: 'Signs every request (RSA or ECDSA key). The upstream must trust it or its CA.',
  });
  const verify = h('input', { type: 'checkbox', id: 'auth-verify', checked: !!v.verify_response_signature });
  const respCert = pemText('auth-response-cert', 'Response certificate (PEM)', '');
  const respStored = stored('x509') ? v.response_certificate || [] : [];
  const respRemove = respStored.length ? h('input', { type: 'checkbox', id: 'auth-response-cert-remove' }) : null;

  // Every type.
  const endpoint = h('input', { id: 'auth-endpoint', type: 'url', autocomplete: 'off', value: v.endpoint || '', placeholder: 'the WSDL\'s address' });
  const timeout = h('input', { id: 'auth-timeout', type: 'text', inputmode: 'numeric', value: String(v.timeout_seconds || 60) });
  const skew = h('input', { type: 'checkbox', id: 'auth-skew', checked: v.compensate_clock_skew !== false });
  const ca = pemText('auth-ca', 'CA bundle (PEM)', (v.ca_bundle_set ? 'A CA bundle is stored: leave this empty to keep it, or paste or load one to replace it. ' : '') +
    'Only if the upstream\'s certificate is not signed by a public CA: these CAs are trusted instead of the system\'s.');
  const caRemove = v.ca_bundle_set ? h('input', { type: 'checkbox', id: 'auth-ca-remove' }) : null;
  const client = certInput('auth-client-cert', 'Client certificate (mutual TLS)', v.client_certificate || null, {
    intro: 'Presented to the upstream in the TLS handshake, with any type.',
    removable: true, removeLabel: 'Remove the stored client certificate', removeHint: 'Calls then present no client certificate.',
  });

  let headerSeq = 0;
  const headerRows = h('div', { id: 'auth-headers' });
  const addHeader = (hname, isStored) => {
    const n = ++headerSeq;
    const nameIn = h('input', { type: 'text', class: 'hname', id: `auth-header-${n}-name`, 'aria-label': 'Header name', value: hname || '', autocomplete: 'off' });
    const val = h('input', { type: 'password', class: 'hvalue', id: `auth-header-${n}-value`, 'aria-label': `Value of ${hname || 'the header'}`, autocomplete: 'new-password', value: '',
      placeholder: isStored ? 'stored: leave empty to keep' : 'value', 'aria-describedby': `auth-header-${n}-value-error` });
    const rm = h('button', { type: 'button', class: 'secondary small', 'aria-label': `Remove header ${hname || ''}` }, 'Remove');
    const r = h('div', { class: 'header-row-wrap' },
      h('div', { class: 'header-row', dataset: { stored: isStored ? '1' : '' } }, nameIn, val, rm),
      h('p', { class: 'field-error', id: `auth-header-${n}-value-error` }));
    rm.addEventListener('click', () => r.remove());
    headerRows.append(r);
    return nameIn;
  };
  for (const hn of v.http_headers_set || []) addHeader(hn, true);
  const soap = h('textarea', { id: 'auth-soap', class: 'mono', rows: 3, spellcheck: 'false' });
  const soapRemove = v.soap_headers_set ? h('input', { type: 'checkbox', id: 'auth-soap-remove' }) : null;

  const passRow = row('auth-password', 'Password', pass, '');
  const keytabRow = row('auth-keytab', 'Keytab file', keytab, '');
  const creds = h('div', { id: 'auth-creds' }, krbMode.el, row('auth-username', 'User name', user, ''), passRow, keytabRow);
  const ntlm = h('div', { id: 'auth-ntlm' },
    row('auth-domain', 'Domain', domain, 'Only for a user name without one: DOMAIN\\user and user@domain name theirs.'));
  const wsse = h('div', { id: 'auth-wsse' },
    row('auth-password-type', 'Password type', ptype, 'PasswordDigest sends a hash of the password with a fresh nonce instead of the password.'),
    row('auth-ttl', 'Timestamp lifetime (seconds)', ttl, 'How long the wsu:Timestamp is valid; 0 sends none.'));
  const krb = h('div', { id: 'auth-kerberos' },
    row('auth-realm', 'Realm', realm, 'Required: the Kerberos realm; for Active Directory the DNS domain in capitals.'),
    row('auth-kdc', 'KDC (optional)', kdc, 'host or host:port (88 by default) of a KDC. Left empty, the realm\'s KDCs are found through DNS SRV records (_kerberos._tcp.REALM).'),
    row('auth-spn', 'Service principal name (optional)', spn, v.spn_derived
      ? `Left empty, calls use ${v.spn_derived} (HTTP/ and the endpoint's host). Set it when the endpoint is reached through an alias.`
      : 'Left empty, HTTP/ and the endpoint\'s host in lower case. Set it when the endpoint is reached through an alias.'));
  const x509 = h('div', { id: 'auth-x509' },
    signing.el,
    h('fieldset', { class: 'group', id: 'auth-response' }, h('legend', {}, 'Signed answers'),
      checkRow('auth-verify', verify, 'Verify the signature of every answer', 'Answers not signed by the certificate below (or a certificate its CA issued) are refused with a 502.'),
      respStored.length ? [h('p', { class: 'stored' }, 'Stored:'), respStored.map((c, i) => certFacts(c, `auth-response-cert-stored-${i}`))] : null,
      respCert.el,
      respRemove ? checkRow('auth-response-cert-remove', respRemove, 'Remove the stored response certificate', 'Only with the check above off.') : null));
  const sync = () => {
    const t = type.value;
    const krbKeytab = t === 'kerberos' && krbMode.value() === 'keytab';
    creds.hidden = t === 'none';
    krbMode.el.hidden = t !== 'kerberos';
    passRow.hidden = krbKeytab;
    keytabRow.hidden = !krbKeytab;
    ntlm.hidden = t !== 'ntlm';
    wsse.hidden = t !== 'wsse' && t !== 'x509';
    krb.hidden = t !== 'kerberos';
    x509.hidden = t !== 'x509';
    user.previousSibling.textContent = t === 'x509' ? 'User name (optional)' : 'User name';
    setHint(creds, 'auth-username', {
      ntlm: 'DOMAIN\\user, user@domain, or a user of the domain below.',
      kerberos: 'The account name alone (svc-soap), not svc-soap@REALM or DOMAIN\\svc-soap.',
      x509: 'With a password, a UsernameToken is sent and signed with the body.',
    }[t] || '');
    const pwStored = stored(t) && v.password_set;
    pass.placeholder = pwStored ? 'stored: leave empty to keep' : '';
    setHint(creds, 'auth-password', pwStored
      ? 'A password is stored: leave this empty to keep it, or type a new one to replace it.'
      : t === 'x509' ? 'Only with a user name.' : 'Required. Sealed; never shown again.');
    setHint(creds, 'auth-keytab', stored('kerberos') && v.keytab_set
      ? 'A keytab is stored: leave this empty to keep it, or choose a new file to replace it.'
      : 'A keytab holding the keys of user@REALM (ktpass on Windows, ktutil or kadmin ktadd -norandkey with MIT). Sealed; never shown again.');
    setHint(wsse, 'auth-password-type', t === 'x509' ? 'Of the UsernameToken, with a user name.' : 'PasswordDigest sends a hash of the password with a fresh nonce instead of the password.');
  };
  type.addEventListener('change', sync);
  for (const r of krbMode.inputs) r.addEventListener('change', sync);
  sync();
  setHint(x509, 'auth-response-cert', (respStored.length ? 'Stored: leave this empty to keep it, or paste or load another to replace it. ' : '') +
    'The upstream\'s signing certificate, or the CA that issues it; one or more PEM certificates.');

  const save = h('button', { type: 'submit', id: 'auth-save' }, 'Save');
  const errBox = h('div', { id: 'auth-errors' });
  const form = h('form', { id: 'auth-form', class: 'card', novalidate: true, autocomplete: 'off' },
    row('auth-type', 'Type', type, 'How soapbridge authenticates each call.'),
    creds, ntlm, wsse, krb, x509,
    h('fieldset', { class: 'group', id: 'auth-connection' }, h('legend', {}, 'Connection'),
      row('auth-endpoint', 'Endpoint override', endpoint, 'Call this URL instead of the WSDL\'s addresses (every port).'),
      row('auth-timeout', 'Timeout (seconds)', timeout, 'The whole call\'s time limit: 1 to 600.'),
      ca.el,
      caRemove ? checkRow('auth-ca-remove', caRemove, 'Remove the stored CA bundle', 'The system\'s CAs are trusted again.') : null,
      client.el,
      checkRow('auth-skew', skew, 'Compensate the upstream\'s clock skew',
        'Shift WS-Security timestamps (types wsse and x509) by the skew measured from the answers\' Date header, when it is 30 s or more.')),
    h('fieldset', { class: 'group' }, h('legend', {}, 'HTTP headers ', h('span', { class: 'hint' }, 'sent on every call; values are secret')),
      headerRows, h('button', { type: 'button', class: 'secondary small', id: 'auth-add-header', onclick: () => addHeader('', false).focus() }, 'Add header')),
    row('auth-soap', 'SOAP header blocks', soap, (v.soap_headers_set ? `${v.soap_headers_set} block(s) are stored: leave this empty to keep them, or paste blocks to replace them. ` : '') +
      'One namespace-qualified XML element per block, blocks separated by a blank line. Secret: never shown again.'),
    soapRemove ? checkRow('auth-soap-remove', soapRemove, 'Remove the stored SOAP header blocks', '') : null,
    errBox, save);

  // fields maps the API's pointers to the controls that show their errors.
  const fields = () => ({
    type, username: user, password: krbModeOn() === 'keytab' ? keytab : pass, password_type: ptype, domain, timestamp_ttl_seconds: ttl,
    realm, kdc, spn, keytab, signing_certificate: signing.primary(), verify_response_signature: verify,
    response_certificate: respCert.ta, endpoint, timeout_seconds: timeout, ca_bundle: ca.ta,
    client_certificate: client.primary(), compensate_clock_skew: skew, soap_headers: soap,
  });
  const krbModeOn = () => (type.value === 'kerberos' ? krbMode.value() : '');
  const fieldFor = (pointer) => {
    const [, first, rest] = (pointer || '').split('/');
    if (first === 'http_headers') {
      for (const r of headerRows.querySelectorAll('.header-row')) {
        if (r.querySelector('.hname').value.trim().toLowerCase() === (rest || '').toLowerCase()) return r.querySelector('.hvalue');
      }
      return form.querySelector('#auth-add-header');
    }
    return fields()[first] || null;
  };
  const clearErrors = () => {
    errBox.replaceChildren();
    for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
    for (const el of form.querySelectorAll('.field-error')) el.textContent = '';
  };
  const markField = (el, msg) => {
    if (!el) return;
    el.setAttribute('aria-invalid', 'true');
    const e = form.querySelector(`#${CSS.escape(el.id)}-error`);
    if (e) e.textContent = e.textContent ? `${e.textContent} ${msg}` : msg;
  };
  const linkTo = (el, text) => (el ? h('a', { href: `#${el.id}`, onclick: (ev) => { ev.preventDefault(); el.focus(); } }, text) : h('code', {}, text));
  const fail = (problems) => {
    for (const p of problems) markField(p.el, p.error);
    errBox.append(h('div', { class: 'problem', role: 'alert' },
      h('p', { class: 'problem-title' }, `${problems.length} field(s) need fixing before saving`),
      h('ul', {}, problems.map((p) => h('li', {}, linkTo(p.el, p.label || (p.el && p.el.id) || 'form'), ' ', p.error)))));
    if (problems[0].el) problems[0].el.focus();
  };

  // body builds the request from the form, or gives the problems found.
  const body = async () => {
    const t = type.value;
    const b = { type: t };
    const probs = [];
    const bad = (el, error, label) => probs.push({ el, error, label });
    const num = (input, lo, hi, what) => {
      const n = Number(input.value.trim());
      if (!/^\d+$/.test(input.value.trim()) || n < lo || n > hi) { bad(input, `${what} is a whole number from ${lo} to ${hi}.`, what); return undefined; }
      return n;
    };
    if (t !== 'none') {
      const u = user.value.trim();
      if (u) b.username = u;
      else if (t !== 'x509') bad(user, 'Required.', 'User name');
    }
    const pwStored = stored(t) && v.password_set;
    if (t === 'basic' || t === 'wsse' || t === 'ntlm' || t === 'x509' || (t === 'kerberos' && krbMode.value() === 'password')) {
      if (pass.value !== '') b.password = pass.value;
      else if (t !== 'x509' && !pwStored) {
        bad(pass, t === 'kerberos' && stored('kerberos') && v.keytab_set ? 'A keytab is stored: type a password to use one instead, or choose Keytab file.' : 'Required.', 'Password');
      }
    }
    if (t === 'ntlm' && domain.value.trim()) b.domain = domain.value.trim();
    if (t === 'wsse' || (t === 'x509' && b.username)) b.password_type = ptype.value;
    if (t === 'wsse' || t === 'x509') {
      const n = num(ttl, 0, 86400, 'Timestamp lifetime');
      if (n !== undefined) b.timestamp_ttl_seconds = n;
    }
    if (t === 'kerberos') {
      b.realm = realm.value.trim();
      if (!b.realm) bad(realm, 'Required: the realm, such as EXAMPLE.COM.', 'Realm');
      if (kdc.value.trim()) b.kdc = kdc.value.trim();
      if (spn.value.trim()) b.spn = spn.value.trim();
      if (krbMode.value() === 'keytab') {
        if (hasFile(keytab)) b.keytab = await fileBase64(keytab);
        else if (!(stored('kerberos') && v.keytab_set)) bad(keytab, 'Choose the keytab file.', 'Keytab file');
      }
    }
    if (t === 'x509') {
      const s = await signing.read();
      if (s.error) bad(s.el, s.error, 'Signing certificate');
      else if (s.value) b.signing_certificate = s.value;
      else if (!(stored('x509') && v.signing_certificate)) bad(signing.primary(), 'Choose the signing certificate.', 'Signing certificate');
      b.verify_response_signature = verify.checked;
      const text = respCert.ta.value.trim();
      if (text && respRemove && respRemove.checked) bad(respRemove, 'Either remove the stored certificate or give a new one, not both.', 'Response certificate');
      else if (text) b.response_certificate = respCert.ta.value;
      else if (respRemove && respRemove.checked) b.response_certificate = '';
      if (verify.checked && !text && (!respStored.length || (respRemove && respRemove.checked))) {
        bad(respCert.ta, 'Give the upstream\'s signing certificate or its CA to verify answers with.', 'Response certificate');
      }
    }
    const headers = {};
    for (const r of headerRows.querySelectorAll('.header-row')) {
      const hn = r.querySelector('.hname').value.trim();
      const hv = r.querySelector('.hvalue').value;
      if (!hn) continue;
      headers[hn] = hv === '' && r.dataset.stored ? null : hv;
    }
    if (Object.keys(headers).length) b.http_headers = headers;
    const blocks = soap.value.split(/\n\s*\n/).map((x) => x.trim()).filter(Boolean);
    if (blocks.length && soapRemove && soapRemove.checked) bad(soapRemove, 'Either remove the stored blocks or paste new ones, not both.', 'SOAP header blocks');
    else if (blocks.length) b.soap_headers = blocks;
    else if (soapRemove && soapRemove.checked) b.soap_headers = [];
    if (endpoint.value.trim()) b.endpoint = endpoint.value.trim();
    if (timeout.value.trim()) {
      const n = num(timeout, 1, 600, 'Timeout');
      if (n !== undefined) b.timeout_seconds = n;
    }
    const caText = ca.ta.value.trim();
    if (caText && caRemove && caRemove.checked) bad(caRemove, 'Either remove the stored bundle or give a new one, not both.', 'CA bundle');
    else if (caText) b.ca_bundle = ca.ta.value;
    else if (caRemove && caRemove.checked) b.ca_bundle = '';
    const c = await client.read();
    if (c.error) bad(c.el, c.error, 'Client certificate');
    else if (c.value !== undefined) b.client_certificate = c.value;
    b.compensate_clock_skew = skew.checked;
    return { b, probs };
  };

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    out.replaceChildren();
    clearErrors();
    const { b, probs } = await body();
    if (probs.length) { fail(probs); return; }
    save.disabled = true;
    try {
      const nv = await api('PUT', `/v1/admin/services/${enc(name)}/auth`, b);
      pass.value = '';
      rerender(nv);
      // The form was redrawn: the focus goes to the outcome.
      const saved = h('p', { class: 'notice', role: 'status', id: 'auth-saved', tabindex: '-1' }, savedText(nv));
      out.replaceChildren(saved);
      saved.focus();
      announce('Upstream auth saved');
    } catch (err) {
      const errs = (err.problem && err.problem.errors) || [];
      for (const e of errs) markField(fieldFor(e.pointer), e.detail || '');
      errBox.replaceChildren(problemView(err, 'Not saved'));
      const first = errs.map((e) => fieldFor(e.pointer)).find(Boolean);
      if (first) first.focus();
    } finally {
      save.disabled = false;
    }
  });
  return form;
}

// savedText sums up a saved auth view.
function savedText(nv) {
  const parts = [`Saved: ${nv.type}${nv.username ? ' as ' + nv.username : ''}`];
  if (nv.password_set) parts.push('password stored');
  if (nv.keytab_set) parts.push('keytab stored');
  if (nv.endpoint) parts.push(`endpoint ${nv.endpoint}`);
  if (nv.signing_certificate) parts.push(`signing as ${nv.signing_certificate.subject}`);
  if (nv.verify_response_signature) parts.push('answers verified');
  if (nv.client_certificate) parts.push(`client certificate ${nv.client_certificate.subject}`);
  if (nv.ca_bundle_set) parts.push('CA bundle stored');
  if (nv.wsdl_fetched_with_auth) parts.push('also used to fetch the WSDL from its server');
  return parts.join(', ') + '.';
}

// unknownAuth shows an auth this page does not understand, and no way to
// save over it.
function unknownAuth(name, v, unknown) {
  const why = Object.hasOwn(AUTH_TYPES, v.type)
    ? `It has settings this page does not know: ${unknown.join(', ')}.`
    : `Its type "${v.type}" is not one this page knows (${Object.keys(AUTH_TYPES).join(', ')}).`;
  return h('div', { id: 'auth-form', class: 'card' },
    h('div', { class: 'problem', role: 'alert', id: 'auth-unknown' },
      h('p', { class: 'problem-title' }, 'This auth cannot be edited here'),
      h('p', {}, why, ' The soapbridge server is probably newer than this page. Saving from this form would overwrite settings it cannot show, so saving is disabled.'),
      h('p', {}, 'Reload the page (it may be an old copy), or change the auth with ', h('code', {}, `PUT /v1/admin/services/${name}/auth`), ' (docs/gateway.md).')),
    h('h2', { id: 'auth-unknown-title' }, 'Stored settings'),
    h('pre', { id: 'auth-unknown-view', tabindex: '0', 'aria-labelledby': 'auth-unknown-title' }, JSON.stringify(v, null, 2)),
    h('button', { type: 'button', id: 'auth-save', disabled: true, 'aria-describedby': 'auth-unknown' }, 'Save'));
}
