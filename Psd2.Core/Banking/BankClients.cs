using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Psd2.Core.Connectors;
using Psd2.Core.Connectors.BerlinGroup;
using Psd2.Core.Connectors.Stet;
using Psd2.Core.Connectors.UkOpenBanking;

namespace Psd2.Core.Banking;

/// <summary>
/// The way to an institution: the connector for its standard, over the mutual-TLS client (the platform's QWAC),
/// addressed through service discovery by the institution's service name, signing with the QSealC where the
/// institution requires it.
/// </summary>
public sealed class BankClients(
    IHttpClientFactory factory, IOptions<InstitutionOptions> institutions, RequestSigners signers, TppIdentity tpp, TimeProvider time, ILoggerFactory loggers)
{
    /// <summary>The named HttpClient that presents the QWAC.</summary>
    public const string BankClient = "bank";

    /// <summary>The named HttpClient for public OAuth metadata, which presents no certificate.</summary>
    public const string PublicBankClient = "bank-public";

    public Institution Institution(string institutionId) => institutions.Value.Banks[institutionId];

    public IReadOnlyDictionary<string, Institution> Institutions => institutions.Value.Banks;

    public IBankConnector Connector(string institutionId)
    {
        var institution = Institution(institutionId);
        var http = Http(institution);
        return institution.Standard switch
        {
            // Berlin Group banks give their OAuth metadata as an absolute link on their public host; the others on the TPP host.
            InstitutionStandard.BerlinGroup => new BerlinGroupConnector(http, new OAuthClient(http, factory.CreateClient(PublicBankClient)), institution.TokenPath,
                institution.RequiresSignature ? signers.HttpSignature : null, time, loggers.CreateLogger<BerlinGroupConnector>()),
            InstitutionStandard.UkOpenBanking => new UkOpenBankingConnector(http, new OAuthClient(http, http), institution.TokenPath, tpp.OrganizationId,
                signers, time, loggers.CreateLogger<UkOpenBankingConnector>()),
            InstitutionStandard.Stet => new StetConnector(http, new OAuthClient(http, http), institution.TokenPath, tpp.OrganizationId,
                institution.RequiresSignature ? signers.StetSignature : null, time, loggers.CreateLogger<StetConnector>()),
            var standard => throw new NotSupportedException($"No connector speaks {standard}."),
        };
    }

    /// <summary>
    /// The payment side of an institution that offers payment initiation (<see cref="Institution.Payments"/>), over the
    /// same client; payment calls are always signed, whatever the institution asks of its account-information calls.
    /// </summary>
    public IPaymentConnector Payments(string institutionId)
    {
        var institution = Institution(institutionId);
        if (!institution.Payments || institution.Standard != InstitutionStandard.BerlinGroup)
        {
            throw new ConnectorException(ConnectorFailure.Refused, "payments_unsupported", $"{institution.Name} offers no payment initiation here.");
        }

        var http = Http(institution);
        return new BerlinGroupConnector(http, new OAuthClient(http, factory.CreateClient(PublicBankClient)), institution.TokenPath,
            signers.HttpSignature, time, loggers.CreateLogger<BerlinGroupConnector>());
    }

    private HttpClient Http(Institution institution)
    {
        var http = factory.CreateClient(BankClient);
        http.BaseAddress = new Uri($"https://{institution.Service}");
        return http;
    }
}
