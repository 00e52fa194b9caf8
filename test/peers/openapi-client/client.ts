// A program written against the client generated from soapbridge's OpenAPI
// document of the inventory service (openapi-typescript types +
// openapi-fetch). internal/gateway's TestGeneratedClient copies it next to
// the generated schema.d.ts, type-checks and compiles it with tsc, and runs
// it against a live gateway; it prints what it got as one JSON line.
import createClient from "openapi-fetch";
import type { paths, components } from "./schema.js";

declare const process: { env: Record<string, string | undefined> };

type GetItemsInput = paths["/v1/services/inventory/GetItems"]["post"]["requestBody"]["content"]["application/json"];
type Item = components["schemas"]["Item"];

// The generated types carry the schema: skuPrefix is required, the
// warehouse an enumeration, limit a number.
// @ts-expect-error skuPrefix is required
const missing: GetItemsInput = { limit: 3 };
// @ts-expect-error warehouse is "north" or "south"
const wrongEnum: GetItemsInput = { skuPrefix: "A-", warehouse: "west" };
void missing, wrongEnum;

const client = createClient<paths>({
  baseUrl: process.env.SOAPBRIDGE_URL,
  headers: { "X-API-Key": process.env.SOAPBRIDGE_KEY ?? "" },
});

const items = await client.POST("/v1/services/inventory/GetItems", {
  params: { query: { port: "InventorySoap12" } },
  body: { skuPrefix: "A-", limit: 3, warehouse: "north" },
});
if (!items.data) throw new Error("GetItems failed: " + JSON.stringify(items.error));
// A response always has its arrays: item and tags need no check.
const got: Item[] = items.data.item;
const skus: string[] = got.map((i) => i.sku);
const tags: number = got.reduce((n, i) => n + i.tags.length, 0);
const discontinued: (boolean | null)[] = got.map((i) => i.discontinued);

const reserve = await client.POST("/v1/services/inventory/Reserve", { body: { sku: "A-7", quantity: 2 } });
if (!reserve.data) throw new Error("Reserve failed: " + JSON.stringify(reserve.error));
const reservation: string = reserve.data.reservationId;

const refused = await client.POST("/v1/services/inventory/Reserve", { body: { sku: "A-1", quantity: 30 } });
let fault: string | undefined;
let available: number | undefined;
if (refused.error && "fault" in refused.error && refused.error.fault) {
  // The 422 answer carries the operation's declared fault, its detail typed.
  fault = refused.error.fault.fault;
  available = refused.error.fault.detail?.OutOfStockFault?.available;
  // Children no fault declares are there too, as untyped values.
  const undeclared: unknown = refused.error.fault.detail?.["Undeclared"];
  void undeclared;
}

console.log(JSON.stringify({ skus, tags, discontinued, reservation, status: refused.response.status, fault, available }));
