// Test upstream for soapbridge's WS-Security: node-soap serving the bundled
// inventory WSDL behind a WS-Security 1.0 UsernameToken check.
//
// Usage: node wss-server.js WSDL PORT USER PASSWORD [--require-timestamp] [--reject=fault|401] [--clock-offset=SECONDS]
// Prints "ready" when listening on 127.0.0.1:PORT. The SOAP 1.1 port is at
// /soap, the SOAP 1.2 port at /soap12.
//
// Every request must carry exactly one wsse:Security header block, checked
// namespace-aware on the raw XML (node-soap's own parse drops namespaces):
//   - wsse:Security in the WS-Security 1.0 secext namespace, with
//     mustUnderstand="1" in the namespace of the request's envelope;
//   - a wsse:UsernameToken for USER whose wsse:Password is either
//     #PasswordText (equal to PASSWORD) or #PasswordDigest, which needs a
//     wsse:Nonce (EncodingType #Base64Binary) and a wsu:Created no more than
//     5 minutes away from now, a nonce not seen before, and
//     Base64(SHA-1(nonce + created + password)) computed with node-soap's
//     passwordDigest;
//   - a wsu:Timestamp when present (always with --require-timestamp):
//     Created no later than now + 60 s, Expires after Created and after now.
// A rejected request gets a WS-Security SOAP fault (HTTP 500) with the
// standard codes wsse:InvalidSecurity, wsse:InvalidSecurityToken,
// wsse:FailedAuthentication or wsse:MessageExpired and the cause in the
// reason; with --reject=401 the authenticate hook instead returns false,
// node-soap's own way, which answers HTTP 401. Each rejection is also logged
// to stderr (without the password).
//
// Accepted calls answer like server.js, except that Reserve's
// reservationId is "USER/text/SKU" or "USER/digest/SKU", so a test sees
// which password type the peer verified.
'use strict';
const fs = require('fs');
const http = require('http');
const path = require('path');
const sax = require('sax');
const soap = require('soap');

const NS = {
  soap11: 'http://schemas.xmlsoap.org/soap/envelope/',
  soap12: 'http://www.w3.org/2003/05/soap-envelope',
  wsse: 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd',
  wsu: 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd',
};
const PASSWORD_TEXT = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText';
const PASSWORD_DIGEST = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest';
const BASE64_BINARY = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary';
const CREATED_WINDOW_MS = 5 * 60 * 1000;
const FUTURE_SKEW_MS = 60 * 1000;
const DATE_RE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

const args = process.argv.slice(2);
const flags = new Set(args.filter((a) => a.startsWith('--')));
const [wsdlPath, port, user, password] = args.filter((a) => !a.startsWith('--'));
if (!wsdlPath || !port || user === undefined || password === undefined) {
  console.error('usage: node wss-server.js WSDL PORT USER PASSWORD [--require-timestamp] [--reject=fault|401] [--clock-offset=SECONDS]');
  process.exit(2);
}
const requireTimestamp = flags.has('--require-timestamp');
const reject401 = flags.has('--reject=401');
// --clock-offset=SECONDS runs this server's clock that far ahead (negative:
// behind): its checks and its Date header use the shifted time, like an
// upstream whose clock is wrong.
const clockArg = [...flags].find((f) => f.startsWith('--clock-offset='));
const clockOffsetMs = clockArg ? Number(clockArg.split('=')[1]) * 1000 : 0;
const clockNow = () => Date.now() + clockOffsetMs;
const xml = fs.readFileSync(wsdlPath, 'utf8');
const seenNonces = new Set();

class Rejection extends Error {
  constructor(code, reason) {
    super(reason);
    this.code = code;
  }
}

function reject(code, cause) {
  const standard = {
    InvalidSecurity: 'An error was discovered processing the <wsse:Security> header',
    InvalidSecurityToken: 'An invalid security token was provided',
    FailedAuthentication: 'The security token could not be authenticated or authorized',
    MessageExpired: 'The message has expired',
  }[code];
  throw new Rejection(code, `${standard}: ${cause}`);
}

// parse reads an XML document into a namespace-aware tree of
// {uri, local, attrs: [{uri, local, value}], text, children}.
function parse(text) {
  const p = sax.parser(true, { xmlns: true });
  const root = { children: [] };
  const stack = [root];
  let err;
  p.onerror = (e) => {
    err = e;
    p.error = null;
    p.resume();
  };
  p.onopentag = (t) => {
    const el = {
      uri: t.uri,
      local: t.local,
      attrs: Object.values(t.attributes)
        .filter((a) => a.prefix !== 'xmlns' && a.name !== 'xmlns')
        .map((a) => ({ uri: a.uri, local: a.local, value: a.value })),
      text: '',
      children: [],
    };
    stack[stack.length - 1].children.push(el);
    stack.push(el);
  };
  p.onclosetag = () => stack.pop();
  p.ontext = (s) => {
    stack[stack.length - 1].text += s;
  };
  p.oncdata = p.ontext;
  p.write(text).close();
  if (err) {
    reject('InvalidSecurity', 'the request is not well-formed XML: ' + String(err.message).split('\n')[0]);
  }
  return root.children[0];
}

const kids = (el, uri, local) => el.children.filter((c) => c.uri === uri && c.local === local);
const attr = (el, uri, local) => {
  const a = el.attrs.find((x) => x.uri === uri && x.local === local);
  return a && a.value;
};

function one(el, uri, local, what, code = 'InvalidSecurity') {
  const found = kids(el, uri, local);
  if (found.length !== 1) {
    reject(code, `expected exactly one ${what} in ${el.local}, found ${found.length}`);
  }
  return found[0];
}

function time(el, what) {
  const s = el.text.trim();
  if (!DATE_RE.test(s)) {
    reject('InvalidSecurity', `${what} ${JSON.stringify(s)} is not a UTC dateTime`);
  }
  return { text: s, ms: Date.parse(s) };
}

// verify checks the raw request and returns {user, type} or throws a
// Rejection.
function verify(raw) {
  const now = clockNow();
  const env = parse(raw);
  if (!env || env.local !== 'Envelope' || (env.uri !== NS.soap11 && env.uri !== NS.soap12)) {
    reject('InvalidSecurity', 'the request is not a SOAP envelope');
  }
  const header = kids(env, env.uri, 'Header')[0];
  const blocks = header ? kids(header, NS.wsse, 'Security') : [];
  if (blocks.length === 0) {
    const stray = header && header.children.find((c) => c.local === 'Security');
    reject('InvalidSecurity', stray ? `the Security header is in namespace ${JSON.stringify(stray.uri)}, not the WS-Security 1.0 one` : 'no wsse:Security header');
  }
  if (blocks.length > 1) {
    reject('InvalidSecurity', `${blocks.length} wsse:Security headers`);
  }
  const sec = blocks[0];
  const mu = attr(sec, env.uri, 'mustUnderstand');
  if (mu !== '1') {
    reject('InvalidSecurity', `wsse:Security must carry mustUnderstand="1" in the envelope namespace ${env.uri} (found ${JSON.stringify(mu)})`);
  }

  const stamps = kids(sec, NS.wsu, 'Timestamp');
  if (stamps.length > 1) {
    reject('InvalidSecurity', 'more than one wsu:Timestamp');
  }
  if (stamps.length === 0 && requireTimestamp) {
    reject('InvalidSecurity', 'no wsu:Timestamp');
  }
  if (stamps.length === 1) {
    const created = time(one(stamps[0], NS.wsu, 'Created', 'wsu:Created'), 'Timestamp Created');
    const expires = time(one(stamps[0], NS.wsu, 'Expires', 'wsu:Expires'), 'Timestamp Expires');
    if (created.ms > now + FUTURE_SKEW_MS) {
      reject('MessageExpired', `Timestamp Created ${created.text} is in the future`);
    }
    if (expires.ms <= created.ms) {
      reject('InvalidSecurity', `Timestamp Expires ${expires.text} is not after Created ${created.text}`);
    }
    if (expires.ms <= now) {
      reject('MessageExpired', `Timestamp expired at ${expires.text}`);
    }
  }

  const ut = one(sec, NS.wsse, 'UsernameToken', 'wsse:UsernameToken');
  const name = one(ut, NS.wsse, 'Username', 'wsse:Username', 'InvalidSecurityToken').text;
  const pw = one(ut, NS.wsse, 'Password', 'wsse:Password', 'InvalidSecurityToken');
  const type = attr(pw, '', 'Type') || PASSWORD_TEXT;
  let kind;
  let ok;
  if (type === PASSWORD_TEXT) {
    kind = 'text';
    ok = pw.text === password;
  } else if (type === PASSWORD_DIGEST) {
    kind = 'digest';
    const nonceEl = one(ut, NS.wsse, 'Nonce', 'wsse:Nonce', 'InvalidSecurityToken');
    const enc = attr(nonceEl, '', 'EncodingType');
    if (enc !== BASE64_BINARY) {
      reject('InvalidSecurityToken', `wsse:Nonce EncodingType is ${JSON.stringify(enc)}, want #Base64Binary`);
    }
    const nonce = nonceEl.text.trim();
    if (Buffer.from(nonce, 'base64').length < 16) {
      reject('InvalidSecurityToken', 'wsse:Nonce has fewer than 16 bytes');
    }
    const created = time(one(ut, NS.wsu, 'Created', 'wsu:Created', 'InvalidSecurityToken'), 'UsernameToken Created');
    if (Math.abs(now - created.ms) > CREATED_WINDOW_MS) {
      reject('MessageExpired', `UsernameToken Created ${created.text} is more than 5 minutes away from now`);
    }
    if (seenNonces.has(nonce)) {
      reject('FailedAuthentication', 'nonce replayed');
    }
    seenNonces.add(nonce);
    ok = pw.text.trim() === soap.passwordDigest(nonce, created.text, password);
  } else {
    reject('InvalidSecurityToken', `unsupported password Type ${JSON.stringify(type)}`);
  }
  if (name !== user) {
    reject('FailedAuthentication', `unknown user ${JSON.stringify(name)}`);
  }
  if (!ok) {
    reject('FailedAuthentication', `wrong password (${kind})`);
  }
  return { user: name, kind };
}

function fault(soap12, err) {
  if (soap12) {
    return {
      attributes: { 'xmlns:wsse': NS.wsse },
      Code: { Value: 'soap:Sender', Subcode: { Value: 'wsse:' + err.code } },
      Reason: { Text: err.message },
      statusCode: 500,
    };
  }
  return {
    attributes: { 'xmlns:wsse': NS.wsse },
    faultcode: 'wsse:' + err.code,
    faultstring: err.message,
    statusCode: 500,
  };
}

function items(prefix, n) {
  const out = [];
  for (let i = 1; i <= n; i++) {
    out.push({
      attributes: { sku: prefix + i },
      id: i,
      name: `Item ${i} <${prefix}> & co`,
      price: `${i}.50`,
      tags: i === 1 ? [] : ['t' + i],
      discontinued: i % 2 === 0,
    });
  }
  return out;
}

const ops = {
  GetItems(args) {
    const n = args.limit === undefined ? 2 : Number(args.limit);
    return { item: items(args.skuPrefix, n) };
  },
  Reserve(args, cb, headers, req) {
    return { reservationId: `${req.wss.user}/${req.wss.kind}/${args.sku}`, expires: '2027-01-02T03:04:05Z' };
  },
};
const services = { InventoryService: { InventorySoap11: ops, InventorySoap12: ops } };

// raw holds the request XML node-soap received, for verify.
const raw = new WeakMap();

function attach(srv, soap12) {
  srv.log = (type, data, req) => {
    if (type === 'received' && req) {
      raw.set(req, data);
    }
  };
  srv.authenticate = (security, callback, req) => {
    try {
      req.wss = verify(raw.get(req) || '');
      return true;
    } catch (err) {
      if (!(err instanceof Rejection)) {
        throw err;
      }
      console.error(`wss-server: rejected ${req.url}: wsse:${err.code}: ${err.message}`);
      if (reject401) {
        return false;
      }
      // Thrown faults reach node-soap's _processRequestXml, which sends
      // them with their statusCode.
      throw { Fault: fault(soap12, err) };
    }
  };
}

const server = http.createServer((req, res) => {
  res.statusCode = 404;
  res.end('not found');
});
let pending = 2;
function ready(err) {
  if (err) {
    console.error(err);
    process.exit(1);
  }
  if (--pending === 0) {
    // Now that node-soap has taken over the request listeners: the Date
    // header tells this server's (shifted) time.
    server.prependListener('request', (req, res) => res.setHeader('Date', new Date(clockNow()).toUTCString()));
    server.listen(Number(port), '127.0.0.1', () => console.log('ready'));
  }
}
const uri = path.resolve(wsdlPath);
attach(soap.listen(server, { path: '/soap', services, xml, uri, callback: ready }), false);
attach(soap.listen(server, { path: '/soap12', services, xml, uri, forceSoap12Headers: true, callback: ready }), true);

