using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Psd2.Core.Connectors;

namespace Psd2.Core.Banking;

/// <summary>
/// The way to an institution: its consent and OAuth client and its account-information connector, over the
/// mutual-TLS client (the platform's QWAC), addressed through service discovery by the institution's service name.
/// </summary>
public sealed class BankClients(IHttpClientFactory factory, IOptions<InstitutionOptions> institutions, TimeProvider time, ILoggerFactory loggers)
{
    /// <summary>The named HttpClient that presents the QWAC.</summary>
    public const string BankClient = "bank";

    /// <summary>The named HttpClient for public OAuth metadata, which presents no certificate.</summary>
    public const string PublicBankClient = "bank-public";

    public Institution Institution(string institutionId) => institutions.Value.Banks[institutionId];

    public BerlinGroupClient Client(string institutionId) => new(Http(institutionId), factory.CreateClient(PublicBankClient));

    public IBankConnector Connector(string institutionId) => Institution(institutionId).Standard switch
    {
        "berlin-group" => new BerlinGroupConnector(Http(institutionId), time, loggers.CreateLogger<BerlinGroupConnector>()),
        var standard => throw new NotSupportedException($"No connector speaks {standard} yet."),
    };

    private HttpClient Http(string institutionId)
    {
        var http = factory.CreateClient(BankClient);
        http.BaseAddress = new Uri($"https://{Institution(institutionId).Service}");
        return http;
    }
}
