// Small DOM helpers. Every text goes through textContent or text nodes:
// nothing from the API is ever parsed as HTML.

// h creates an element: h('a', {href: '#/x', class: 'c', onclick: f}, 'text', child).
// Attributes that are null, undefined or false are left out; true sets an
// empty attribute; "value" and "checked" are set as properties after the
// children (so a select's value picks among its options).
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  const late = {};
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'value' || k === 'checked') late[k] = v;
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
  for (const [k, v] of Object.entries(late)) el[k] = v;
  return el;
}

let seq = 0;
// uid returns a fresh element id.
export function uid(prefix) { seq++; return `${prefix || 'id'}-${seq}`; }

// announce tells screen readers about a change.
export function announce(text) {
  const el = document.getElementById('announce');
  el.textContent = '';
  setTimeout(() => { el.textContent = text; }, 30);
}

// when formats an RFC 3339 time for people.
export function when(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  return isNaN(d) ? iso : d.toLocaleString();
}

// copyButton copies what text() returns and says so.
export function copyButton(label, text) {
  const b = h('button', { type: 'button', class: 'secondary small' }, label);
  b.addEventListener('click', async () => {
    const t = text();
    let ok = false;
    try { await navigator.clipboard.writeText(t); ok = true; } catch (e) {
      const ta = h('textarea', { class: 'visually-hidden', 'aria-hidden': 'true' });
      ta.value = t; document.body.append(ta); ta.select();
      try { ok = document.execCommand('copy'); } catch (e2) { ok = false; }
      ta.remove();
    }
    b.textContent = ok ? 'Copied' : 'Copy failed: select and copy by hand';
    announce(ok ? 'Copied to the clipboard' : 'Copying failed');
    setTimeout(() => { b.textContent = label; }, 2000);
  });
  return b;
}

// confirmDialog asks a yes/no question in the page's modal dialog.
export function confirmDialog(title, text, okLabel) {
  const dlg = document.getElementById('confirm');
  document.getElementById('confirm-title').textContent = title;
  document.getElementById('confirm-text').textContent = text;
  document.getElementById('confirm-ok').textContent = okLabel || 'Confirm';
  dlg.returnValue = '';
  dlg.showModal();
  document.getElementById('confirm-cancel').focus();
  return new Promise((resolve) => {
    const onClose = () => {
      // close is a queued event: one that belongs to an earlier opening
      // and arrives after this one opened is not this answer.
      if (dlg.open) return;
      dlg.removeEventListener('close', onClose);
      resolve(dlg.returnValue === 'ok');
    };
    dlg.addEventListener('close', onClose);
  });
}
