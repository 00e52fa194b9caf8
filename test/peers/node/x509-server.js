// Test upstream for soapbridge's WS-Security X.509 signatures: node-soap
// serving the bundled inventory WSDL, accepting only requests signed with
// the client certificate it trusts, and (optionally) signing its responses
// with node-soap's own WSSecurityCert.
//
// Usage: node x509-server.js WSDL PORT CLIENT_CERT_PEM_FILE
//            [--sign-key=KEY_PEM_FILE --sign-cert=CERT_PEM_FILE] [--tamper-response]
// Prints "ready" when listening on 127.0.0.1:PORT. The SOAP 1.1 port is at
// /soap, the SOAP 1.2 port at /soap12.
//
// Every request must carry one wsse:Security header with a ds:Signature
// that xml-crypto (node-soap's XML-DSig library) verifies with the public
// key of CLIENT_CERT_PEM_FILE (wsu:Id as the Id attribute; xml-crypto
// refuses duplicate Ids), whose references cover the soap:Body and the
// wsu:Timestamp, whose KeyInfo is a wsse:SecurityTokenReference to a
// wsse:BinarySecurityToken (X509v3) holding that very certificate, and
// whose Timestamp is current (Created no later than now + 60 s, Expires
// after now). A rejected request gets a WS-Security SOAP fault (HTTP 500):
// wsse:InvalidSecurity, wsse:FailedCheck (the signature or a digest is
// wrong), wsse:FailedAuthentication (another certificate) or
// wsse:MessageExpired, with the cause in the reason; it is also logged to
// stderr.
//
// Accepted calls answer like server.js, except that Reserve's
// reservationId is "SUBJECT/SKU" (SUBJECT the signing certificate's
// subject, plus "+USER" when the request carries a UsernameToken), so a
// test sees what the peer verified.
//
// With --sign-key and --sign-cert every answer (faults too) is signed with
// node-soap's WSSecurityCert: a BinarySecurityToken, a Timestamp and an
// RSA-SHA256 signature over Body and Timestamp (exclusive c14n, SHA-256).
// node-soap's own unsigned Timestamp header, which it adds to answers of
// requests that have one, is dropped first: its u:Id="_0" would collide
// with the Ids xml-crypto gives the signed parts. With --tamper-response
// the signed answer's Body is changed after signing (GetItems' "Item 1"
// becomes "Item 9").
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const http = require('http');
const path = require('path');
const { DOMParser } = require('@xmldom/xmldom');
const { SignedXml } = require('xml-crypto');
const soap = require('soap');

const NS = {
  soap11: 'http://schemas.xmlsoap.org/soap/envelope/',
  soap12: 'http://www.w3.org/2003/05/soap-envelope',
  wsse: 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd',
  wsu: 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd',
  ds: 'http://www.w3.org/2000/09/xmldsig#',
};
const X509V3 = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3';
const FUTURE_SKEW_MS = 60 * 1000;

const args = process.argv.slice(2);
const opt = (name) => {
  const a = args.find((x) => x.startsWith(`--${name}=`));
  return a && a.slice(name.length + 3);
};
const [wsdlPath, port, clientCertFile] = args.filter((a) => !a.startsWith('--'));
if (!wsdlPath || !port || !clientCertFile) {
  console.error('usage: node x509-server.js WSDL PORT CLIENT_CERT_PEM_FILE [--sign-key=KEY --sign-cert=CERT] [--tamper-response]');
  process.exit(2);
}
const clientCertPem = fs.readFileSync(clientCertFile, 'utf8');
const clientCertDer = new crypto.X509Certificate(clientCertPem).raw;
const signKey = opt('sign-key') && fs.readFileSync(opt('sign-key'), 'utf8');
const signCert = opt('sign-cert') && fs.readFileSync(opt('sign-cert'), 'utf8');
const tamper = args.includes('--tamper-response');
const xml = fs.readFileSync(wsdlPath, 'utf8');

class Rejection extends Error {
  constructor(code, reason) {
    super(reason);
    this.code = code;
  }
}

function reject(code, cause) {
  const standard = {
    InvalidSecurity: 'An error was discovered processing the <wsse:Security> header',
    FailedCheck: 'The signature or decryption was invalid',
    FailedAuthentication: 'The security token could not be authenticated or authorized',
    MessageExpired: 'The message has expired',
  }[code];
  throw new Rejection(code, `${standard}: ${cause}`);
}

const elements = (parent, uri, local) => {
  const out = [];
  for (let n = parent && parent.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === 1 && n.namespaceURI === uri && n.localName === local) {
      out.push(n);
    }
  }
  return out;
};
const idOf = (el) => el.getAttributeNS(NS.wsu, 'Id') || el.getAttribute('Id') || el.getAttribute('ID');

// verify checks the signature of the raw request and returns what it
// verified: {subject, user}; or throws a Rejection.
function verify(raw) {
  const now = Date.now();
  let doc;
  try {
    doc = new DOMParser({ onError: (level, msg) => { throw new Error(msg); } }).parseFromString(raw, 'text/xml');
  } catch (e) {
    reject('InvalidSecurity', 'the request is not well-formed XML: ' + e.message);
  }
  const env = doc.documentElement;
  if (!env || env.localName !== 'Envelope' || (env.namespaceURI !== NS.soap11 && env.namespaceURI !== NS.soap12)) {
    reject('InvalidSecurity', 'the request is not a SOAP envelope');
  }
  const header = elements(env, env.namespaceURI, 'Header')[0];
  const body = elements(env, env.namespaceURI, 'Body')[0];
  const secs = elements(header, NS.wsse, 'Security');
  if (secs.length !== 1) {
    reject('InvalidSecurity', `expected one wsse:Security header, found ${secs.length}`);
  }
  const sec = secs[0];
  const sigs = elements(sec, NS.ds, 'Signature');
  if (sigs.length !== 1) {
    reject('InvalidSecurity', `expected one ds:Signature in wsse:Security, found ${sigs.length}`);
  }

  // The signing token: a BinarySecurityToken holding the trusted certificate.
  const ref = sigs[0].getElementsByTagNameNS(NS.wsse, 'Reference')[0];
  const uri = ref && ref.getAttribute('URI');
  const bst = elements(sec, NS.wsse, 'BinarySecurityToken').find((b) => uri === '#' + idOf(b));
  if (!bst || bst.getAttribute('ValueType') !== X509V3) {
    reject('InvalidSecurity', 'KeyInfo does not reference an X509v3 wsse:BinarySecurityToken');
  }
  const der = Buffer.from(bst.textContent.replace(/\s+/g, ''), 'base64');
  const cert = new crypto.X509Certificate(der);
  if (!der.equals(clientCertDer)) {
    reject('FailedAuthentication', `the signing certificate ${cert.subject.replace(/\n/g, ', ')} is not the trusted client certificate`);
  }

  // The signature, by xml-crypto, with the trusted certificate's key.
  const sig = new SignedXml({ idMode: 'wssecurity', publicCert: clientCertPem });
  sig.loadSignature(sigs[0]);
  let ok;
  try {
    ok = sig.checkSignature(raw);
  } catch (e) {
    reject('FailedCheck', e.message);
  }
  if (!ok) {
    reject('FailedCheck', 'a reference digest does not match: the signed content was changed');
  }
  const covered = new Set(sig.getReferences().map((r) => r.uri));
  if (!body || !covered.has('#' + idOf(body))) {
    reject('InvalidSecurity', 'the signature does not cover the soap:Body');
  }
  const stamps = elements(sec, NS.wsu, 'Timestamp');
  if (stamps.length !== 1) {
    reject('InvalidSecurity', `expected one wsu:Timestamp, found ${stamps.length}`);
  }
  if (!covered.has('#' + idOf(stamps[0]))) {
    reject('InvalidSecurity', 'the signature does not cover the wsu:Timestamp');
  }
  const created = Date.parse(elements(stamps[0], NS.wsu, 'Created')[0].textContent);
  const expires = Date.parse(elements(stamps[0], NS.wsu, 'Expires')[0].textContent);
  if (!(created <= now + FUTURE_SKEW_MS)) {
    reject('MessageExpired', 'the Timestamp was created in the future');
  }
  if (!(expires > now)) {
    reject('MessageExpired', 'the Timestamp has expired');
  }
  const ut = elements(sec, NS.wsse, 'UsernameToken')[0];
  const user = ut && elements(ut, NS.wsse, 'Username')[0].textContent;
  return { subject: cert.subject.replace(/\n/g, ','), user };
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
  return { attributes: { 'xmlns:wsse': NS.wsse }, faultcode: 'wsse:' + err.code, faultstring: err.message, statusCode: 500 };
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
    const who = req.x509.subject + (req.x509.user ? '+' + req.x509.user : '');
    return { reservationId: `${who}/${args.sku}`, expires: '2027-01-02T03:04:05Z' };
  },
};
const services = { InventoryService: { InventorySoap11: ops, InventorySoap12: ops } };

const raw = new WeakMap();

function attach(srv, soap12) {
  srv.log = (type, data, req) => {
    if (type === 'received' && req) {
      raw.set(req, data);
    }
  };
  srv.authenticate = (security, callback, req) => {
    try {
      req.x509 = verify(raw.get(req) || '');
      return true;
    } catch (err) {
      if (!(err instanceof Rejection)) {
        throw err;
      }
      console.error(`x509-server: rejected ${req.url}: wsse:${err.code}: ${err.message}`);
      throw { Fault: fault(soap12, err) };
    }
  };
}

// signAnswer signs an answer envelope with node-soap's WSSecurityCert.
function signAnswer(text) {
  const key = /<([\w.-]+):Envelope[\s>]/.exec(text)[1];
  // Drop node-soap's own unsigned Timestamp header (see above).
  let out = text.replace(/<o:Security\b[\s\S]*?<\/o:Security>\s*/, '');
  if (!out.includes(`</${key}:Header>`)) {
    out = out.replace(`<${key}:Body`, `<${key}:Header></${key}:Header><${key}:Body`);
  }
  const ws = new soap.WSSecurityCert(signKey, signCert, '', { signatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256' });
  out = ws.postProcess(out, key);
  if (tamper) {
    out = out.replace('>Item 1 ', '>Item 9 ');
  }
  return out;
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
    if (signKey) {
      // Hold what node-soap writes, and send it signed.
      server.prependListener('request', (req, res) => {
        if (req.method !== 'POST') {
          return;
        }
        const chunks = [];
        const write = res.write.bind(res);
        const end = res.end.bind(res);
        res.write = (c) => {
          chunks.push(Buffer.from(c));
          return true;
        };
        res.end = (c) => {
          if (c) {
            chunks.push(Buffer.from(c));
          }
          const signed = Buffer.from(signAnswer(Buffer.concat(chunks).toString('utf8')));
          res.setHeader('Content-Length', signed.length);
          write(signed);
          return end();
        };
      });
    }
    server.listen(Number(port), '127.0.0.1', () => console.log('ready'));
  }
}
const uri = path.resolve(wsdlPath);
attach(soap.listen(server, { path: '/soap', services, xml, uri, callback: ready }), false);
attach(soap.listen(server, { path: '/soap12', services, xml, uri, forceSoap12Headers: true, callback: ready }), true);
