using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;
using Psd2.Core.Banking;

namespace Psd2.Api.Banking;

public static class BankingExtensions
{
    /// <summary>The mutual-TLS client towards banks (the platform's QWAC), encryption for the tokens they issue, and the api's own identity and address.</summary>
    public static void AddBanking(this WebApplicationBuilder builder)
    {
        builder.AddBankAccess();
        builder.Services.AddSingleton(services => TppIdentity.FromQwac(services.GetRequiredService<IOptions<TppOptions>>().Value.QwacCertificatePath));
        builder.Services.AddOptions<ApiOptions>().BindConfiguration(ApiOptions.Section).ValidateDataAnnotations().ValidateOnStart();
    }
}

/// <summary>The platform as banks know it: the organizationIdentifier of its QWAC, which is its OAuth client_id.</summary>
public sealed record TppIdentity(string OrganizationId)
{
    public static TppIdentity FromQwac(string certificatePath)
    {
        using var qwac = X509Certificate2.CreateFromPem(File.ReadAllText(certificatePath));
        var organizationId = qwac.SubjectName.EnumerateRelativeDistinguishedNames()
            .FirstOrDefault(n => n.GetSingleElementType().Value == "2.5.4.97")?.GetSingleElementValue();
        return new TppIdentity(organizationId ?? throw new InvalidOperationException("The QWAC has no organizationIdentifier (2.5.4.97)."));
    }
}
