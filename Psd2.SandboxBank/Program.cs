using Psd2.SandboxBank;
using Psd2.SandboxBank.Accounts;
using Psd2.SandboxBank.BerlinGroup;
using Psd2.SandboxBank.Consents;
using Psd2.SandboxBank.OAuth;
using Psd2.SandboxBank.Payments;
using Psd2.SandboxBank.Psus;
using Psd2.SandboxBank.Sandbox;
using Psd2.SandboxBank.Stet;
using Psd2.SandboxBank.Tls;
using Psd2.SandboxBank.UkOpenBanking;
using Psd2.ServiceDefaults;
using Psd2.ServiceDefaults.Data;

// A bank to build and test against, speaking Berlin Group NextGenPSD2, UK Open Banking or STET (SandboxBank:Standard).
// It is another party: it shares no code, table or cache key with the platform, only HTTP. Endpoints: "https" for
// TPPs (mutual TLS with eIDAS-like certificates) and "psu" for the customer's browser pages.
var builder = WebApplication.CreateBuilder(args);
var standard = BankStandard.Of(builder.Configuration);

builder.AddServiceDefaults();
builder.AddNpgsqlDataSource("sandboxdb", configureDataSourceBuilder: NpgsqlDefaults.Configure);
builder.AddTppTls();
builder.AddSandboxBank();

var app = builder.Build();

app.UseServiceDefaults();
app.UseTppCertificates();         // QWAC: chain, validity, PSP_AI role (PSP_PI for payments)
switch (standard)
{
    case BankStandard.UkOpenBanking:
        app.UseOpenBankingRules();    // x-fapi-interaction-id and the other FAPI headers; no message signature
        break;
    case BankStandard.Stet:
        app.UseStetRules();           // X-Request-ID, message signature with the QSealC its keyId URL names
        break;
    default:
        app.UseBerlinGroupRules();    // X-Request-ID, message signature when the profile asks for it
        break;
}

app.UseSandboxFaults();           // switchable misbehaviour
app.UseAntiforgery();             // the PSU's forms

app.MapDefaultEndpoints();
switch (standard)
{
    case BankStandard.UkOpenBanking:
        app.MapUkOpenBankingApi();    // OpenID discovery, account-access consents, accounts, balances, transactions
        break;
    case BankStandard.Stet:
        app.MapStetApi();             // RFC 8414 with revocation, token revocation, PUT consents, accounts, balances, transactions
        break;
    default:
        app.MapConsentsApi();
        app.MapAccountsApi();
        app.MapPaymentsApi();         // PIS: single SEPA credit transfers, signed, PSP_PI, one payment per X-Request-ID
        app.MapOAuthMetadata();       // RFC 8414, with the CIBA grant of the decoupled flow
        break;
}

app.MapAuthorizeEndpoints();      // Berlin Group and STET: query parameters; UK: a signed request object
app.MapTokenEndpoint();
app.MapPsuPages();
app.MapSandboxApi();

app.Run();
