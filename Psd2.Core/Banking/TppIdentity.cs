using System.Security.Cryptography.X509Certificates;

namespace Psd2.Core.Banking;

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
