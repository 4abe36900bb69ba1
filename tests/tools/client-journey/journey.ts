// The README's journey, written against the client generated from the api's own OpenAPI document: openapi-typescript
// turns /openapi/v1.json into api.d.ts beside this file, and tsc (strict) checks every call, parameter and field used
// here against it before it runs. A document that loses an operation, a parameter, a status or a field fails here.
import createClient from "openapi-fetch";
import type { components, paths } from "./api.js";

type Connection = components["schemas"]["ConnectionResponse"];
type SyncRun = components["schemas"]["SyncRunResponse"];
type Transaction = components["schemas"]["TransactionResponse"];

export interface JourneySummary {
  userId: string;
  connectionId: string;
  connectionStatus: string;
  syncRunStatus: string;
  accounts: number;
  transactions: number;
  pages: number;
  csvRows: number;
  missingKeyCode: string;
  unknownUserCode: string;
}

export async function journey(baseUrl: string, apiKey: string, psuId: string): Promise<JourneySummary> {
  const api = createClient<paths>({ baseUrl, headers: { Authorization: `Bearer ${apiKey}` } });
  const anonymous = createClient<paths>({ baseUrl });

  // The errors are typed too: a 401 without a key, a 404 for an unknown user, each with its stable code.
  const refused = await anonymous.GET("/v1/users");
  const missingKeyCode = problemCode(refused.error, 401, refused.response.status);
  const unknown = await api.GET("/v1/users/{userId}", { params: { path: { userId: "00000000-0000-0000-0000-000000000000" } } });
  const unknownUserCode = problemCode(unknown.error, 404, unknown.response.status);

  const user = await api.POST("/v1/users", { body: { externalReference: `generated-client-${Date.now()}` } });
  const userId = expect(user.data, "CreateUser", user.response).id;

  const created = await api.POST("/v1/users/{userId}/connections", {
    params: { path: { userId } },
    body: { institutionId: "sandboxbank", flow: "decoupled", psuId },
  });
  let connection: Connection = expect(created.data, "CreateConnection", created.response);
  const connectionId = connection.id;
  connection = await until(async () => {
    const read = await api.GET("/v1/connections/{connectionId}", { params: { path: { connectionId } } });
    return expect(read.data, "GetConnection", read.response);
  }, c => c.status !== "awaiting_decoupled_authorisation", "the BankID order to end");

  const refresh = await api.POST("/v1/connections/{connectionId}/refresh", {
    params: { path: { connectionId } },
    body: { psuIpAddress: "198.51.100.7" },
  });
  const syncRunId = expect(refresh.data, "RefreshConnection", refresh.response).id;
  const run: SyncRun = await until(async () => {
    const read = await api.GET("/v1/sync-runs/{syncRunId}", { params: { path: { syncRunId } } });
    return expect(read.data, "GetSyncRun", read.response);
  }, r => r.status !== "queued" && r.status !== "running", "the sync run to finish");

  const listed = await api.GET("/v1/users/{userId}/accounts", { params: { path: { userId } } });
  const accounts = expect(listed.data, "ListAccounts", listed.response);
  let transactions = 0;
  let pages = 0;
  for (const account of accounts) {
    let cursor: string | undefined;
    do {
      const page = await api.GET("/v1/accounts/{accountId}/transactions", {
        params: { path: { accountId: account.id }, query: { limit: "100", cursor } },
      });
      const body = expect(page.data, "ListTransactions", page.response);
      const items: Transaction[] = body.items;
      transactions += items.filter(t => t.accountId === account.id).length;
      pages++;
      cursor = body.nextCursor ?? undefined;
    } while (cursor);
  }

  const exported = await api.GET("/v1/users/{userId}/export", {
    params: { path: { userId }, query: { format: "csv" } },
    parseAs: "text",
  });
  const csv = expect(exported.data, "ExportUserData", exported.response);
  const csvRows = csv.split(/\r?\n/).filter(line => line.length > 0).length - 1;

  return {
    userId, connectionId, connectionStatus: connection.status, syncRunStatus: run.status, accounts: accounts.length,
    transactions, pages, csvRows, missingKeyCode, unknownUserCode,
  };
}

function expect<T>(data: T | undefined, operation: string, response: Response): T {
  if (data === undefined) {
    throw new Error(`${operation} answered ${response.status}`);
  }
  return data;
}

function problemCode(error: components["schemas"]["ProblemDetails"] | undefined, status: number, actual: number): string {
  if (actual !== status || error === undefined) {
    throw new Error(`expected a ${status} ProblemDetails, got ${actual}`);
  }
  return error.code;
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 90_000;
  for (;;) {
    const value = await read();
    if (done(value)) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error(`gave up waiting for ${what}`);
    }
    await new Promise(resolve => setTimeout(resolve, 250));
  }
}
