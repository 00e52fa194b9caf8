// A form generated from an operation's input shape: the describe JSON of
// the admin API (docs/inspect.md), mapped to the request JSON of
// docs/mapping.md. Nested objects are fieldsets, lists have add/remove,
// enumerations are selects, required members are marked, and values are
// checked against their built-in type before anything is sent.
import { h, uid } from './dom.js';

const INTS = {
  integer: [null, null], int: [-2147483648n, 2147483647n], long: [-9223372036854775808n, 9223372036854775807n],
  short: [-32768n, 32767n], byte: [-128n, 127n], nonNegativeInteger: [0n, null], positiveInteger: [1n, null],
  nonPositiveInteger: [null, 0n], negativeInteger: [null, -1n], unsignedLong: [0n, 18446744073709551615n],
  unsignedInt: [0n, 4294967295n], unsignedShort: [0n, 65535n], unsignedByte: [0n, 255n],
};
const DECIMAL_RE = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;
const FLOAT_RE = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const TZ = '(Z|[+-]\\d{2}:\\d{2})?';
const TIME_RES = {
  dateTime: new RegExp(`^-?\\d{4,}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?${TZ}$`),
  date: new RegExp(`^-?\\d{4,}-\\d{2}-\\d{2}${TZ}$`),
  time: new RegExp(`^\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?${TZ}$`),
  duration: /^-?P(?=\d|T\d)(\d+Y)?(\d+M)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$/,
  gYear: new RegExp(`^-?\\d{4,}${TZ}$`),
};
const EXAMPLES = {
  dateTime: '2026-01-31T10:00:00Z', date: '2026-01-31', time: '10:00:00', duration: 'P1DT2H',
  boolean: 'true or false', base64Binary: 'base64 text', hexBinary: 'hex digits',
};
const MAX_DEPTH = 16;

// pointer appends a member to an RFC 6901 JSON pointer.
function pointer(base, name) {
  return base + '/' + String(name).replace(/~/g, '~0').replace(/\//g, '~1');
}

function isList(f) { return f.max !== undefined && f.max !== 0 && f.max !== 1; }

function typeLabel(f) {
  if (f.list) return `list of ${f.builtin || 'values'}`;
  let t = f.type ? f.type.replace(/^\{[^}]*\}/, '') : '';
  if (f.builtin && f.builtin !== t) t = t ? `${t} (${f.builtin})` : f.builtin;
  return t;
}

// checkScalar converts the text of a simple value to its JSON value, or
// returns {error}.
export function checkScalar(f, text) {
  const b = f.builtin || 'string';
  if (f.list) {
    const items = text.trim().split(/\s+/).filter(Boolean);
    const out = [];
    for (const it of items) {
      const r = checkScalar({ ...f, list: false, enum: undefined, patterns: undefined }, it);
      if (r.error) return { error: `item "${it}": ${r.error}` };
      out.push(r.value);
    }
    return { value: out };
  }
  if (f.enum && f.enum.length && !f.enum.includes(text)) return { error: `must be one of ${f.enum.join(', ')}` };
  if (b in INTS) {
    const t = text.trim();
    if (!/^[+-]?\d+$/.test(t)) return { error: `"${text}" is not a whole number (${b})` };
    const n = BigInt(t);
    const [lo, hi] = INTS[b];
    if (lo !== null && n < lo) return { error: `must be at least ${lo} (${b})` };
    if (hi !== null && n > hi) return { error: `must be at most ${hi} (${b})` };
    const num = Number(t);
    return { value: Number.isSafeInteger(num) ? num : t.replace(/^\+/, '') };
  }
  if (b === 'decimal') {
    const t = text.trim();
    if (!DECIMAL_RE.test(t)) return { error: `"${text}" is not a decimal number such as 12.50` };
    // Numbers a double holds exactly are sent as numbers; longer ones as
    // strings, which the gateway accepts and keeps digit for digit.
    return { value: t.replace(/[+-]|\./g, '').replace(/^0+/, '').length <= 15 ? Number(t) : t };
  }
  if (b === 'float' || b === 'double') {
    const t = text.trim();
    if (t === 'INF' || t === '-INF' || t === 'NaN') return { value: t };
    if (!FLOAT_RE.test(t)) return { error: `"${text}" is not a number (${b}); INF, -INF and NaN are allowed too` };
    return { value: Number(t) };
  }
  if (b === 'boolean') {
    if (text === 'true' || text === '1') return { value: true };
    if (text === 'false' || text === '0') return { value: false };
    return { error: 'must be true or false' };
  }
  if (b in TIME_RES && !TIME_RES[b].test(text.trim())) {
    return { error: `"${text}" is not a ${b} such as ${EXAMPLES[b] || TIME_RES[b]}` };
  }
  if (b === 'hexBinary' && !/^([0-9a-fA-F]{2})*$/.test(text.trim())) return { error: 'must be hexadecimal digits, two per byte' };
  if (b === 'base64Binary' && !/^[A-Za-z0-9+/\s]*={0,2}$/.test(text.trim())) return { error: 'must be base64 text' };
  for (const p of f.patterns || []) {
    let re;
    try { re = new RegExp(`^(?:${p})$`, 'u'); } catch (e) { continue; } // an XSD-only regex: the server checks it
    if (!re.test(text)) return { error: `"${text}" does not match the pattern ${p}` };
  }
  return { value: text };
}

// Form is a generated form for an operation's input.
export class Form {
  // types is the describe's top-level types; op the operation.
  constructor(op, types) {
    this.op = op;
    this.types = types || {};
  }

  // render returns the form's element for the request value (an object,
  // possibly empty).
  render(value) {
    value = value && typeof value === 'object' && !Array.isArray(value) ? value : {};
    const input = this.op.input;
    const root = h('div', { class: 'gen-form' });
    if (!input) {
      root.append(h('p', { class: 'muted' }, 'This operation takes no input.'));
      this.read = () => ({ value: {}, errors: [] });
      return root;
    }
    let fields = input.body || [];
    if (input.wrapped && fields.length === 1) {
      fields = this.contentOf(fields[0]) || [];
    }
    const body = this.members(fields, '', value, 0, false);
    if (!fields.length) root.append(h('p', { class: 'muted' }, 'This operation takes no parameters: it sends {}.'));
    root.append(...body.els);
    let headers = null;
    if ((input.headers || []).length) {
      const hv = value.$headers && typeof value.$headers === 'object' ? value.$headers : {};
      headers = this.members(input.headers, '/$headers', hv, 0, false);
      root.append(h('fieldset', { class: 'group' }, h('legend', {}, 'SOAP headers ', h('code', {}, '$headers')), headers.els));
    }
    this.read = () => {
      const errors = [];
      const out = {};
      body.read(out, errors);
      if (headers) {
        const ho = {};
        headers.read(ho, errors);
        if (Object.keys(ho).length) out.$headers = ho;
      }
      return { value: out, errors };
    };
    return root;
  }

  // contentOf returns the fields of an element's complex content, or null
  // for a simple element.
  contentOf(f, typeName) {
    const t = typeName ? this.types[typeName] : (f.complex && f.type ? this.types[f.type] : null);
    if (t) return t.fields || [];
    if (f.fields) return f.fields;
    return null;
  }

  // members builds the fields of one content model into rows; read(obj,
  // errors) adds their members to obj.
  members(fields, path, value, depth, optionalGroup) {
    const els = [];
    const readers = [];
    const elementNames = new Set(fields.filter((f) => f.kind === 'element').map((f) => f.name));
    for (const f of fields) {
      switch (f.kind) {
        case 'element': {
          const node = this.element(f, f.name, pointer(path, f.name), value[f.name], depth, optionalGroup);
          els.push(node.el);
          readers.push((obj, errors) => { const v = node.read(errors); if (v !== undefined) obj[f.name] = v; });
          break;
        }
        case 'attribute':
        case 'text': {
          const name = f.kind === 'text' ? '$value' : (elementNames.has(f.name) ? '@' + f.name : f.name);
          const required = f.kind === 'text' ? false : !!f.required && !optionalGroup;
          const node = this.scalar(f, name, pointer(path, name), value[name], required,
            f.kind === 'text' ? 'value' : `${f.name} (attribute)`);
          els.push(node.el);
          readers.push((obj, errors) => { const v = node.read(errors); if (v !== undefined) obj[name] = v; });
          break;
        }
        case 'choice': {
          if (isList(f)) { this.rawNode(f, path, value, els, readers, 'a repeated choice'); break; }
          const node = this.choice(f, path, value, depth);
          els.push(node.el);
          readers.push(node.read);
          break;
        }
        case 'sequence':
        case 'all': {
          if (isList(f)) { this.rawNode(f, path, value, els, readers, 'a repeated group'); break; }
          const inner = this.members(f.fields || [], path, value, depth, optionalGroup || f.min === 0);
          els.push(...inner.els);
          readers.push(inner.read);
          break;
        }
        case 'any': {
          const id = uid('f');
          const cur = Array.isArray(value.$any) ? value.$any.join('\n') : '';
          const ta = h('textarea', { id, rows: 3, class: 'mono', dataset: { path: pointer(path, '$any') }, value: cur });
          els.push(h('div', { class: 'row' }, h('label', { for: id }, h('code', {}, '$any'), ' ', h('span', { class: 'hint' }, 'any XML elements, one per line')), ta));
          readers.push((obj) => {
            const lines = ta.value.split('\n').map((s) => s.trim()).filter(Boolean);
            if (lines.length) obj.$any = lines;
          });
          break;
        }
        default:
          break;
      }
    }
    return { els, read: (obj, errors) => { for (const r of readers) r(obj, errors); } };
  }

  // rawNode is the fallback for shapes a form does not fit: the members as
  // a JSON object, merged into the parent.
  rawNode(f, path, value, els, readers, what) {
    const names = (f.fields || []).map((x) => x.name).filter(Boolean);
    const id = uid('f');
    const cur = {};
    for (const n of names) if (n in value) cur[n] = value[n];
    const ta = h('textarea', { id, rows: 3, class: 'mono', dataset: { path: path || '/' }, value: Object.keys(cur).length ? JSON.stringify(cur, null, 2) : '' });
    const err = h('p', { class: 'field-error', id: id + '-err' });
    els.push(h('div', { class: 'row' }, h('label', { for: id }, `${names.join(', ')} `, h('span', { class: 'hint' }, `${what}: a JSON object with these members`)), ta, err));
    readers.push((obj, errors) => {
      err.textContent = '';
      ta.removeAttribute('aria-invalid');
      if (!ta.value.trim()) return;
      try {
        const v = JSON.parse(ta.value);
        if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('not a JSON object');
        Object.assign(obj, v);
      } catch (e) {
        err.textContent = 'Not a JSON object: ' + e.message;
        ta.setAttribute('aria-invalid', 'true');
        ta.setAttribute('aria-describedby', err.id);
        errors.push({ pointer: path || '/', message: err.textContent, el: ta });
      }
    });
  }

  // element builds one element member: a list with add/remove, or one value.
  element(f, name, path, value, depth, optionalGroup) {
    const td = f.complex ? this.types[f.type] : null;
    if (td && td.array && (td.fields || []).length) {
      // A SOAP-encoded array is a JSON array of its items (docs/mapping.md).
      f = { ...td.fields[0], name: f.name, min: 0, max: -1, nillable: false };
    }
    const required = f.min > 0 && !optionalGroup;
    if (!isList(f)) return this.value(f, name, path, value, depth, required, false);
    const items = h('div', { class: 'list-items' });
    const nodes = [];
    const legendId = uid('l');
    const add = (v) => {
      const idx = nodes.length;
      const node = this.value(f, `${name}[${idx + 1}]`, pointer(path, idx), v, depth, true, true);
      const entry = { node };
      const remove = h('button', { type: 'button', class: 'secondary small', 'aria-label': `Remove ${name} item` }, 'Remove');
      entry.el = h('div', { class: 'list-item' }, node.el, remove);
      remove.addEventListener('click', () => {
        nodes.splice(nodes.indexOf(entry), 1);
        entry.el.remove();
        addBtn.focus();
      });
      nodes.push(entry);
      items.append(entry.el);
      return entry;
    };
    const addBtn = h('button', { type: 'button', class: 'secondary small', dataset: { add: path } }, `Add ${name}`);
    addBtn.addEventListener('click', () => {
      const e = add(undefined);
      const first = e.el.querySelector('input, select, textarea');
      if (first) first.focus();
    });
    for (const v of Array.isArray(value) ? value : []) add(v);
    const bounds = f.max === -1 ? `${f.min} or more` : `${f.min} to ${f.max}`;
    const err = h('p', { class: 'field-error', id: uid('e') });
    const el = h('fieldset', { class: 'group list', 'aria-describedby': err.id },
      h('legend', { id: legendId }, name, required ? h('span', { class: 'req', title: 'required' }, ' *') : null,
        ' ', h('span', { class: 'hint' }, `list, ${bounds} ${typeLabel(f)}`)),
      items, addBtn, err);
    return {
      el,
      read: (errors) => {
        err.textContent = '';
        const out = [];
        nodes.forEach((n) => { const v = n.node.read(errors); out.push(v === undefined ? null : v); });
        if (out.length < (f.min || 0) && !optionalGroup) {
          err.textContent = `needs at least ${f.min} item(s)`;
          errors.push({ pointer: path, message: err.textContent, el: addBtn });
        }
        if (f.max > 1 && out.length > f.max) {
          err.textContent = `at most ${f.max} item(s)`;
          errors.push({ pointer: path, message: err.textContent, el: addBtn });
        }
        if (!out.length && !required) return undefined;
        return out;
      },
    };
  }

  // value builds one element's value: an object for complex content, a
  // scalar otherwise. An optional complex element is left out until added.
  value(f, name, path, value, depth, required, inList) {
    if (f.recursive || depth > MAX_DEPTH) {
      const els = [], readers = [];
      const holder = {};
      if (value !== undefined) holder[name] = value;
      this.rawNode({ fields: [{ name }] }, path.slice(0, path.lastIndexOf('/')), holder, els, readers, 'a recursive element');
      return { el: els[0], read: (errors) => { const o = {}; readers[0](o, errors); return o[name]; } };
    }
    const content = this.contentOf(f);
    if (content === null) return this.scalar(f, name, path, value, required, null, f.nillable);
    const fs = h('fieldset', { class: 'group' });
    const legend = h('legend', {}, name, required && !inList ? h('span', { class: 'req', title: 'required' }, ' *') : null,
      ' ', h('span', { class: 'hint' }, typeLabel(f)));
    fs.append(legend);
    const body = h('div', { class: 'group-body' });
    let inner = null;
    let typeName = f.complex ? f.type : null;
    let nil = null;
    const build = (v) => {
      body.replaceChildren();
      const fields = this.contentOf(f, typeName) || [];
      inner = this.members(fields, path, v && typeof v === 'object' ? v : {}, depth + 1, false);
      if (!fields.length) body.append(h('p', { class: 'muted small' }, 'no content: sent as {}'));
      body.append(...inner.els);
    };
    const tdef = f.complex ? this.types[f.type] : null;
    let typeSel = null;
    if (tdef && (tdef.derived || []).length) {
      const opts = [];
      if (!tdef.abstract) opts.push(h('option', { value: f.type }, f.type.replace(/^\{[^}]*\}/, '')));
      for (const d of tdef.derived) opts.push(h('option', { value: d }, d.replace(/^\{[^}]*\}/, '')));
      const sid = uid('f');
      let cur = null;
      if (value && value.$type) cur = tdef.derived.find((d) => d === value.$type || d.endsWith('}' + value.$type));
      typeName = cur || (tdef.abstract ? tdef.derived[0] : f.type);
      typeSel = h('select', { id: sid, dataset: { path: pointer(path, '$type') }, value: typeName }, opts);
      typeSel.addEventListener('change', () => { typeName = typeSel.value; build({}); });
      fs.append(h('div', { class: 'row' }, h('label', { for: sid }, 'type ', h('code', {}, '$type')), typeSel));
    }
    if (f.nillable) {
      const nid = uid('f');
      nil = h('input', { type: 'checkbox', id: nid, dataset: { nil: path }, checked: value === null });
      nil.addEventListener('change', () => { body.hidden = nil.checked; });
      fs.append(h('div', { class: 'row inline' }, nil, h('label', { for: nid }, 'nil (send xsi:nil="true")')));
    }
    fs.append(body);
    const optional = !required && !inList;
    let included = !optional || (value !== undefined && value !== null);
    if (included) build(value);
    if (optional) {
      const toggle = h('button', { type: 'button', class: 'secondary small', 'aria-expanded': String(included), dataset: { include: path } },
        included ? `Leave out ${name}` : `Add ${name}`);
      toggle.addEventListener('click', () => {
        included = !included;
        toggle.setAttribute('aria-expanded', String(included));
        toggle.textContent = included ? `Leave out ${name}` : `Add ${name}`;
        if (included) build({}); else body.replaceChildren();
        body.hidden = !included;
      });
      body.hidden = !included;
      legend.after(toggle);
    }
    if (nil && nil.checked) body.hidden = true;
    return {
      el: fs,
      read: (errors) => {
        if (nil && nil.checked) return null;
        if (!included || !inner) return undefined;
        const o = {};
        if (typeSel && typeName !== f.type) o.$type = typeName.replace(/^\{[^}]*\}/, '');
        inner.read(o, errors);
        return o;
      },
    };
  }

  // choice builds a select of the branches and the chosen branch's fields.
  choice(f, path, value, depth) {
    const branches = f.fields || [];
    const label = (b) => b.kind === 'element' ? b.name : (b.fields || []).map((x) => x.name).join(' + ') || b.kind;
    const names = (b) => b.kind === 'element' ? [b.name] : (b.fields || []).map((x) => x.name);
    let chosen = branches.findIndex((b) => names(b).some((n) => n in value));
    if (chosen < 0 && f.min > 0) chosen = 0;
    const id = uid('f');
    const sel = h('select', { id, dataset: { choice: path || '/' } },
      f.min > 0 ? null : h('option', { value: '-1' }, '— none —'),
      branches.map((b, i) => h('option', { value: String(i) }, label(b))));
    sel.value = String(chosen);
    const body = h('div', { class: 'group-body' });
    let inner = null;
    const build = (v) => {
      body.replaceChildren();
      inner = null;
      const i = Number(sel.value);
      if (i < 0) return;
      inner = this.members([branches[i]], path, v || {}, depth + 1, false);
      body.append(...inner.els);
    };
    sel.addEventListener('change', () => build({}));
    build(value);
    const el = h('fieldset', { class: 'group choice' },
      h('legend', {}, 'one of ', h('span', { class: 'hint' }, branches.map(label).join(' | '))),
      h('div', { class: 'row' }, h('label', { for: id }, 'choice'), sel), body);
    return { el, read: (obj, errors) => { if (inner) inner.read(obj, errors); } };
  }

  // scalar builds an input for a simple value: a select for enumerations
  // and booleans, a text input otherwise, checked on read.
  scalar(f, name, path, value, required, labelText, nillable) {
    const id = uid('f');
    const errId = id + '-err';
    const hintId = id + '-hint';
    let input;
    const cur = value === undefined || value === null ? '' : (Array.isArray(value) ? value.join(' ') : String(value));
    const common = { id, name: path, dataset: { path }, 'aria-describedby': `${hintId} ${errId}`, 'aria-required': required ? 'true' : null };
    if (f.enum && f.enum.length && !f.list) {
      input = h('select', common, h('option', { value: '' }, required ? '— choose —' : '— leave out —'),
        f.enum.map((e) => h('option', { value: e }, e)));
      input.value = cur;
    } else if (f.builtin === 'boolean' && !f.list) {
      input = h('select', common, h('option', { value: '' }, required ? '— choose —' : '— leave out —'),
        h('option', { value: 'true' }, 'true'), h('option', { value: 'false' }, 'false'));
      input.value = cur;
    } else {
      const numeric = (f.builtin in INTS);
      input = h('input', {
        ...common, type: 'text', value: cur, autocomplete: 'off', spellcheck: 'false',
        inputmode: numeric ? 'numeric' : (f.builtin === 'decimal' || f.builtin === 'float' || f.builtin === 'double' ? 'decimal' : null),
        placeholder: f.default !== undefined ? `default ${f.default}` : (f.fixed !== undefined ? `fixed ${f.fixed}` : (EXAMPLES[f.builtin] || null)),
      });
    }
    let nil = null;
    if (nillable) {
      const nid = uid('f');
      nil = h('input', { type: 'checkbox', id: nid, dataset: { nil: path }, checked: value === null });
      nil.addEventListener('change', () => { input.disabled = nil.checked; });
      input.disabled = value === null;
      nil = [nil, h('label', { for: nid, class: 'small' }, 'nil')];
    }
    const err = h('p', { class: 'field-error', id: errId });
    const el = h('div', { class: 'row' },
      h('label', { for: id }, labelText || name, required ? h('span', { class: 'req', title: 'required' }, ' *') : null),
      h('div', { class: 'control' }, input, nil ? h('span', { class: 'nil' }, nil) : null),
      h('p', { class: 'hint', id: hintId }, [typeLabel(f), required ? 'required' : 'optional'].filter(Boolean).join(', ')),
      err);
    return {
      el,
      read: (errors) => {
        err.textContent = '';
        input.removeAttribute('aria-invalid');
        if (nil && nil[0].checked) return null;
        const text = input.value;
        const fail = (msg) => {
          err.textContent = msg;
          input.setAttribute('aria-invalid', 'true');
          errors.push({ pointer: path, message: msg, el: input });
          return undefined;
        };
        if (text === '') {
          if (required && f.fixed === undefined) return fail('required: fill it in');
          return undefined;
        }
        const r = checkScalar(f, text);
        if (r.error) return fail(r.error);
        return r.value;
      },
    };
  }
}
