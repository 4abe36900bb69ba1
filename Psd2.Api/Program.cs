using Psd2.Api;
using Psd2.Api.Accounts;
using Psd2.Api.Audit;
using Psd2.Api.Banking;
using Psd2.Api.ClientApps;
using Psd2.Api.Connect;
using Psd2.Api.Connections;
using Psd2.Api.Exports;
using Psd2.Api.Institutions;
using Psd2.Api.OpenApi;
using Psd2.Api.Payments;
using Psd2.Api.Schedules;
using Psd2.Api.Sync;
using Psd2.Api.Users;
using Psd2.Api.Webhooks;
using Psd2.Core.Persistence;
using Psd2.ServiceDefaults;
using Psd2.ServiceDefaults.Data;

// `Psd2.Api clientapps ...` manages client apps and their keys, then exits (see ClientAppCommands.Usage).
if (ClientAppCommands.Handles(args))
{
    return await ClientAppCommands.RunAsync(args);
}

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddNpgsqlDataSource("psd2db", configureDataSourceBuilder: NpgsqlDefaults.Configure);
builder.AddPsd2DbContext();
builder.AddRedisClient("redis", configureOptions: RedisDefaults.StartWhileRedisIsDown);
builder.AddApiKeys();         // the ApiKey authentication scheme: keys verified in psd2db, remembered briefly, forgotten when revoked
builder.AddInstitutions();
builder.AddApiDocumentation();
builder.AddBanking();
builder.AddPayments();       // payments initiated once per Idempotency-Key, their status read from the bank
builder.AddConnections();    // starting, activating and checking connections; decoupled orders polled in the background
builder.AddSync();           // syncing accounts, balances and transactions, queued in the background
builder.AddConnectPages();   // the hosted Connect page: links and sessions in Redis, server-rendered forms
builder.AddAccounts();       // reading accounts, balances and transactions, with a Redis cache a sync invalidates
builder.AddWebhooks();       // webhook endpoints' URLs checked against the delivery options
builder.AddSchedules();      // what the worker does for each connection, and its jobs

var app = builder.Build();

app.UseServiceDefaults();
app.UseUtf8JsonBodies();      // a JSON body in another charset is a 415, not the framework's 500
app.UseAuthentication();     // the client app a request acts for, proven by its key
app.UseAuthorization();
app.UseAntiforgery();        // the Connect page's form

app.MapDefaultEndpoints();
app.MapApiDocumentation();   // /openapi/v1.json and Swagger UI at /swagger
app.MapConnectCallback();
app.MapPaymentCallback();    // the same for payments: their status read from the bank
app.MapQsealCertificate();   // the QSealC STET banks fetch from the keyId of the platform's signatures
app.MapConnectPages();       // /connect/{token}: pick a bank, sign in, see the outcome

var v1 = app.MapV1();        // every operation acts for the client app whose key it carries
v1.MapInstitutionsApi();
v1.MapUsersApi();
v1.MapConnectionsApi();
v1.MapPaymentsApi();
v1.MapSyncApi();
v1.MapConnectLinksApi();
v1.MapAccountsApi();
v1.MapTransactionsApi();
v1.MapAuditApi();
v1.MapSchedulesApi();
v1.MapExportsApi();          // a user's accounts, balances and transactions as .xlsx, or the transactions as .csv
v1.MapWebhooksApi();         // webhook endpoints, their deliveries, dead letters and redelivery

app.Run();
return 0;
