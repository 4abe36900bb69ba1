using Psd2.SandboxBank;
using Psd2.SandboxBank.Accounts;
using Psd2.SandboxBank.BerlinGroup;
using Psd2.SandboxBank.Consents;
using Psd2.SandboxBank.OAuth;
using Psd2.SandboxBank.Psus;
using Psd2.SandboxBank.Sandbox;
using Psd2.SandboxBank.Tls;
using Psd2.SandboxBank.UkOpenBanking;
using Psd2.ServiceDefaults;
using Psd2.ServiceDefaults.Data;

// A bank to build and test against, speaking Berlin Group NextGenPSD2 or UK Open Banking (SandboxBank:Standard).
// It is another party: it shares no code, table or cache key with the platform, only HTTP. Endpoints: "https" for
// TPPs (mutual TLS with eIDAS-like certificates) and "psu" for the customer's browser pages.
var builder = WebApplication.CreateBuilder(args);
var ukOpenBanking = BankStandard.Of(builder.Configuration) == BankStandard.UkOpenBanking;

builder.AddServiceDefaults();
builder.AddNpgsqlDataSource("sandboxdb", configureDataSourceBuilder: NpgsqlDefaults.Configure);
builder.AddTppTls();
builder.AddSandboxBank();

var app = builder.Build();

app.UseServiceDefaults();
app.UseTppCertificates();         // QWAC: chain, validity, PSP_AI role
if (ukOpenBanking)
{
    app.UseOpenBankingRules();    // x-fapi-interaction-id and the other FAPI headers; no message signature
}
else
{
    app.UseBerlinGroupRules();    // X-Request-ID, message signature when the profile asks for it
}

app.UseSandboxFaults();           // switchable misbehaviour
app.UseAntiforgery();             // the PSU's forms

app.MapDefaultEndpoints();
if (ukOpenBanking)
{
    app.MapUkOpenBankingApi();    // OpenID discovery, account-access consents, accounts, balances, transactions
}
else
{
    app.MapConsentsApi();
    app.MapAccountsApi();
    app.MapOAuthMetadata();       // RFC 8414, with the CIBA grant of the decoupled flow
}

app.MapAuthorizeEndpoints();      // Berlin Group: query parameters; UK: a signed request object
app.MapTokenEndpoint();
app.MapPsuPages();
app.MapSandboxApi();

app.Run();
