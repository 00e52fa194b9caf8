// JSON text helpers that never round numbers: the gateway keeps every digit
// of a decimal, so the page shows the text it got rather than re-encoding
// parsed doubles.

// skipValue returns the index just past the JSON value starting at i.
function skipValue(s, i) {
  i = skipWS(s, i);
  const c = s[i];
  if (c === '"') {
    for (i++; i < s.length; i++) {
      if (s[i] === '\\') i++;
      else if (s[i] === '"') return i + 1;
    }
    return i;
  }
  if (c === '{' || c === '[') {
    let depth = 0;
    for (; i < s.length; i++) {
      const d = s[i];
      if (d === '"') { i = skipValue(s, i) - 1; continue; }
      if (d === '{' || d === '[') depth++;
      else if (d === '}' || d === ']') { depth--; if (depth === 0) return i + 1; }
    }
    return i;
  }
  while (i < s.length && !/[\s,\]}]/.test(s[i])) i++;
  return i;
}

function skipWS(s, i) { while (i < s.length && /\s/.test(s[i])) i++; return i; }

// rawMember returns the text of member name of the JSON object text, or
// undefined.
export function rawMember(text, name) {
  let i = skipWS(text, 0);
  if (text[i] !== '{') return undefined;
  i++;
  for (;;) {
    i = skipWS(text, i);
    if (text[i] !== '"') return undefined;
    const end = skipValue(text, i);
    const key = JSON.parse(text.slice(i, end));
    i = skipWS(text, end);
    if (text[i] !== ':') return undefined;
    const vs = skipWS(text, i + 1);
    const ve = skipValue(text, vs);
    if (key === name) return text.slice(vs, ve);
    i = skipWS(text, ve);
    if (text[i] !== ',') return undefined;
    i++;
  }
}

// pretty re-indents JSON text by two spaces, keeping every token as is.
export function pretty(text) {
  if (text === undefined || text === null) return '';
  let out = '', depth = 0;
  const nl = () => '\n' + '  '.repeat(depth);
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      // Strings carry no precision to lose: re-encode them so escapes such
      // as \u0026 read as the characters they are.
      const e = skipValue(text, i);
      let tok = text.slice(i, e);
      try { tok = JSON.stringify(JSON.parse(tok)); } catch (err) { /* keep as sent */ }
      out += tok; i = e - 1; continue;
    }
    if (/\s/.test(c)) continue;
    if (c === '{' || c === '[') {
      const j = skipWS(text, i + 1);
      if (text[j] === '}' || text[j] === ']') { out += c + text[j]; i = j; continue; }
      depth++; out += c + nl();
    } else if (c === '}' || c === ']') { depth--; out += nl() + c; }
    else if (c === ',') out += ',' + nl();
    else if (c === ':') out += ': ';
    else out += c;
  }
  return out;
}

// prettyXML puts each element of a SOAP envelope on its own line, indented.
export function prettyXML(xml) {
  if (!xml) return '';
  let depth = 0;
  return xml.replace(/>\s*</g, '>\n<').split('\n').map((p) => {
    if (p.startsWith('</')) depth = Math.max(depth - 1, 0);
    const line = '  '.repeat(depth) + p;
    if (/^<[^!?/][^>]*>$/.test(p) && !p.endsWith('/>')) depth++;
    return line;
  }).join('\n');
}
