// The page's only way to the server: the dashboard's session endpoints and
// the admin API forwarded under /ui/api. The session cookie is HttpOnly;
// the CSRF token is held here, in memory, and sent on every state change.
import { h } from './dom.js';

let csrf = '';
let onLoggedOut = () => {};

export function setCSRF(token) { csrf = token || ''; }
export function setLoggedOutHandler(f) { onLoggedOut = f; }

// APIError is a failed answer: status and the problem (docs/problems.md).
export class APIError extends Error {
  constructor(status, problem, text) {
    super((problem && problem.detail) || `HTTP ${status}`);
    this.status = status;
    this.problem = problem || {};
    this.text = text || '';
  }
}

async function send(url, method, body) {
  const headers = { Accept: 'application/json' };
  let payload;
  if (body instanceof FormData) payload = body;
  else if (typeof body === 'string') { headers['Content-Type'] = 'application/json'; payload = body; }
  else if (body !== undefined) { headers['Content-Type'] = 'application/json'; payload = JSON.stringify(body); }
  if (method !== 'GET' && method !== 'HEAD') headers['X-CSRF-Token'] = csrf;
  let res;
  try {
    res = await fetch(url, { method, headers, body: payload, credentials: 'same-origin', cache: 'no-store' });
  } catch (e) {
    throw new APIError(0, { title: 'Network error', detail: 'soapbridge did not answer. Is it running? (' + e.message + ')' });
  }
  const text = await res.text();
  let data = null;
  if (text) { try { data = JSON.parse(text); } catch (e) { data = null; } }
  return { res, text, data };
}

// api calls the admin API: api('GET', '/v1/admin/services'). It returns the
// parsed JSON, {raw: text} with raw set, and throws APIError otherwise. A 401
// means the session ended: the page goes back to the login.
export async function api(method, path, body, opts) {
  const { res, text, data } = await send('/ui/api' + path, method, body);
  if (res.status === 401) { onLoggedOut('Your session ended (logged out, expired, or the key was revoked). Log in again.'); }
  if (!res.ok) throw new APIError(res.status, data, text);
  if (opts && opts.raw) return { data, text };
  return data;
}

export async function session() { return (await send('/ui/session', 'GET')).data || {}; }

export async function login(key) {
  const { res, text, data } = await send('/ui/login', 'POST', { key });
  if (!res.ok) throw new APIError(res.status, data, text);
  setCSRF(data.csrf);
  return data;
}

export async function logout() {
  await send('/ui/logout', 'POST');
  setCSRF('');
}

// problemView shows an error so a person can act on it: the detail, every
// field error with its pointer, a diagnosis' fix, the request id to find
// the log line.
export function problemView(err, context) {
  const p = (err && err.problem) || {};
  const status = err && err.status;
  const lines = [];
  lines.push(h('p', { class: 'problem-title' },
    (context ? context + ': ' : '') + (p.title || (status ? `HTTP ${status}` : 'Error'))));
  if (p.detail || err.message) lines.push(h('p', { class: 'problem-detail' }, p.detail || err.message));
  const errs = p.errors || [];
  if (errs.length) {
    lines.push(h('ul', { class: 'problem-errors' }, errs.map((e) =>
      h('li', {}, h('code', {}, e.pointer || '/'), ' ', e.detail || '', e.expected ? ` (expected ${e.expected})` : ''))));
  }
  if (p.diagnosis) {
    lines.push(h('p', {}, p.diagnosis.summary || ''));
    if (p.diagnosis.fix) lines.push(h('p', {}, h('strong', {}, 'What to do: '), p.diagnosis.fix));
  }
  if (status === 403) lines.push(h('p', {}, 'The key you logged in with lacks the admin scope for this.'));
  if (p.request_id) lines.push(h('p', { class: 'muted small' }, 'Request id ', h('code', {}, p.request_id), ' (in the server log too)'));
  return h('div', { class: 'problem', role: 'alert' }, lines);
}
