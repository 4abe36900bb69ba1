using Psd2.Core.Persistence;
using Psd2.ServiceDefaults;
using Psd2.ServiceDefaults.Integrations;
using Psd2.Worker.Webhooks;

// Hosted in a WebApplication so that /health, /alive and /info exist for probes.
var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddNpgsqlDataSource("psd2db");
builder.Services.AddPsd2DbContext();
builder.AddRedisClient("redis");
builder.AddWebhookDelivery();   // the platform_events outbox POSTed to client apps' webhook endpoints, signed, with retries

var app = builder.Build();

app.UseServiceDefaults();
app.MapDefaultEndpoints();

app.Run();
