// Test upstream for soapbridge: a node-soap server for the bundled
// inventory WSDL (document/literal wrapped, SOAP 1.1 port, at /soap: node-soap picks
// the port whose address path matches).
// Usage: node server.js WSDL PORT    (prints "ready" when listening)
'use strict';
const fs = require('fs');
const http = require('http');
const path = require('path');
const soap = require('soap');

const [wsdlPath, port] = process.argv.slice(2);
const xml = fs.readFileSync(wsdlPath, 'utf8');

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

const services = {
  InventoryService: {
    InventorySoap11: {
      GetItems(args) {
        const n = args.limit === undefined ? 2 : Number(args.limit);
        return { item: items(args.skuPrefix, n) };
      },
      Reserve(args) {
        if (Number(args.quantity) > 10) {
          throw {
            Fault: {
              faultcode: 'soap:Client',
              faultstring: 'not enough stock for ' + args.sku,
              detail: { OutOfStockFault: { sku: args.sku, available: 10 } },
            },
          };
        }
        return { reservationId: 'N-' + args.sku, expires: '2027-01-02T03:04:05Z' };
      },
    },
  },
};

const server = http.createServer((req, res) => {
  res.statusCode = 404;
  res.end('not found');
});
// Listen only once node-soap has read the WSDL and taken over the request
// listeners: until then every request would find the 404 handler above.
soap.listen(server, {
  path: '/soap', services, xml, uri: path.resolve(wsdlPath),
  callback: (err) => {
    if (err) {
      console.error(err);
      process.exit(1);
    }
    server.listen(Number(port), '127.0.0.1', () => console.log('ready'));
  },
});
