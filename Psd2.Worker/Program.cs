using Psd2.Core.Persistence;
using Psd2.ServiceDefaults;
using Psd2.ServiceDefaults.Integrations;

// Hosted in a WebApplication so that /health, /alive and /info exist for probes.
var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddNpgsqlDataSource("psd2db");
builder.Services.AddPsd2DbContext();
builder.AddRedisClient("redis");

var app = builder.Build();

app.UseServiceDefaults();
app.MapDefaultEndpoints();

app.Run();
