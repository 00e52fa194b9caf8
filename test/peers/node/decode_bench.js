// Times node-soap decoding a SOAP response (client.wsdl.xmlToObject), as in
// notes/performance.md.
// Usage: node decode_bench.js WSDL ENVELOPE_FILE [RUNS]
// Prints {"seconds": median, "bytes": size}.
'use strict';
const fs = require('fs');
const soap = require('soap');

async function main() {
  const [wsdl, path, runsArg] = process.argv.slice(2);
  const runs = Number(runsArg || 3);
  const client = await soap.createClientAsync(wsdl);
  const xml = fs.readFileSync(path, 'utf8');
  const times = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    client.wsdl.xmlToObject(xml);
    times.push(Number(process.hrtime.bigint() - start) / 1e9);
  }
  times.sort((a, b) => a - b);
  console.log(JSON.stringify({ seconds: times[Math.floor(times.length / 2)], bytes: Buffer.byteLength(xml) }));
}

main().catch((e) => { console.error(e); process.exit(1); });
