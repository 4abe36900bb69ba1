using Psd2.Core.Banking;
using Psd2.Core.Persistence;
using Psd2.ServiceDefaults;
using Psd2.ServiceDefaults.Data;
using Psd2.Worker.Consents;
using Psd2.Worker.Payments;
using Psd2.Worker.Refresh;
using Psd2.Worker.Scheduling;
using Psd2.Worker.Tokens;
using Psd2.Worker.Webhooks;

// Hosted in a WebApplication for /health (Hangfire's storage and servers included), /alive, /info and Hangfire's dashboard.
var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddNpgsqlDataSource("psd2db", configureDataSourceBuilder: NpgsqlDefaults.Configure);
builder.AddPsd2DbContext();
builder.AddRedisClient("redis", configureOptions: RedisDefaults.StartWhileRedisIsDown); // the per-bank rate limit shared by replicas, the api's cache, the test clock
builder.AddInstitutionOptions();
builder.AddBankAccess();             // the QWAC client towards banks and the tokens' encryption
builder.AddUnattendedRefresh();      // refresh slots inside each consent's daily budget; one job per due connection; user-present syncs
builder.AddTokenRefresh();           // access tokens refreshed ahead of expiry
builder.AddConsentChecks();          // renewal_due, expired and revoked from the bank's consent status
builder.AddPaymentFollowUp();        // unfinished payments: initiations resent with their X-Request-ID, decoupled orders polled, statuses read
builder.AddWebhookDelivery();        // the platform_events outbox POSTed to client apps' webhook endpoints, signed, with retries
builder.AddJobServers();             // Hangfire on psd2db: a server per queue, the recurring jobs declared above

var app = builder.Build();

app.UseServiceDefaults();
app.MapDefaultEndpoints();
app.MapJobDashboard();               // /hangfire, for operators (Worker:Dashboard)

app.Run();
