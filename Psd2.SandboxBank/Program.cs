using Psd2.SandboxBank.Tls;
using Psd2.ServiceDefaults;
using Psd2.ServiceDefaults.Integrations;

// A Berlin Group NextGenPSD2 bank to build and test against. It is another party: it shares no code,
// table or cache key with the platform, only HTTP. Endpoints: "https" for TPPs (mutual TLS with
// eIDAS-like certificates) and "psu" for the customer's browser pages.
var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddNpgsqlDataSource("sandboxdb");
builder.AddTppTls();

var app = builder.Build();

app.UseServiceDefaults();
app.UseTppCertificates();
app.MapDefaultEndpoints();

app.Run();
