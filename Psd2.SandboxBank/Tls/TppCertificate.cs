using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Psd2.SandboxBank.Tls;

/// <summary>What a PSD2 certificate says about its holder: the organizationIdentifier and the PSP roles its NCA granted.</summary>
public sealed record TppIdentity(string OrganizationId, string Name, IReadOnlySet<string> Roles)
{
    public const string AccountInformation = "PSP_AI";
    public const string PaymentInitiation = "PSP_PI";
}

/// <summary>Reads the subject's organizationIdentifier and the PSD2 QCStatement (ETSI TS 119 495) of a certificate.</summary>
public static class TppCertificate
{
    private const string OrganizationIdentifierOid = "2.5.4.97";
    private const string QcStatementsOid = "1.3.6.1.5.5.7.1.3";
    private const string Psd2StatementOid = "0.4.0.19495.2";
    private const string QcTypeStatementOid = "0.4.0.1862.1.6";

    /// <summary>id-etsi-qct-eseal (ETSI EN 319 412-5): a seal certificate, the kind that signs on the TPP's behalf.</summary>
    public const string QcTypeESeal = "0.4.0.1862.1.6.2";

    /// <summary>id-etsi-qct-web: a website certificate (QWAC), for TLS only.</summary>
    public const string QcTypeWeb = "0.4.0.1862.1.6.3";

    // Roles by OID, not by the name string beside it: the OID is what an NCA authorises.
    private static readonly Dictionary<string, string> RoleNames = new()
    {
        ["0.4.0.19495.1.1"] = "PSP_AS",
        ["0.4.0.19495.1.2"] = "PSP_PI",
        ["0.4.0.19495.1.3"] = "PSP_AI",
        ["0.4.0.19495.1.4"] = "PSP_IC",
    };

    public static TppIdentity? TryRead(X509Certificate2 certificate)
    {
        var organizationId = OrganizationId(certificate);
        if (organizationId is null)
        {
            return null;
        }

        return new TppIdentity(organizationId, certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false), Roles(certificate));
    }

    public static string? OrganizationId(X509Certificate2 certificate)
    {
        foreach (var part in certificate.SubjectName.EnumerateRelativeDistinguishedNames())
        {
            if (!part.HasMultipleElements && part.GetSingleElementType().Value == OrganizationIdentifierOid)
            {
                return part.GetSingleElementValue();
            }
        }

        return null;
    }

    /// <summary>The QcType OIDs the certificate declares (a certificate may declare several, or none).</summary>
    public static IReadOnlySet<string> QcTypes(X509Certificate2 certificate) =>
        ReadStatements(certificate, QcTypeStatementOid, (statement, types) =>
        {
            var declared = statement.ReadSequence();
            while (declared.HasData)
            {
                types.Add(declared.ReadObjectIdentifier());
            }
        });

    private static HashSet<string> Roles(X509Certificate2 certificate) =>
        ReadStatements(certificate, Psd2StatementOid, (statement, roles) =>
        {
            var rolesOfPsp = statement.ReadSequence().ReadSequence();
            while (rolesOfPsp.HasData)
            {
                var role = rolesOfPsp.ReadSequence();
                if (RoleNames.TryGetValue(role.ReadObjectIdentifier(), out var name))
                {
                    roles.Add(name);
                }
            }
        });

    /// <summary>What the QC statements of one kind say; a malformed extension says nothing (grants no role, declares no type).</summary>
    private static HashSet<string> ReadStatements(X509Certificate2 certificate, string statementOid, Action<AsnReader, HashSet<string>> read)
    {
        var values = new HashSet<string>(StringComparer.Ordinal);
        var extension = certificate.Extensions[QcStatementsOid];
        if (extension is null)
        {
            return values;
        }

        try
        {
            var statements = new AsnReader(extension.RawData, AsnEncodingRules.DER).ReadSequence();
            while (statements.HasData)
            {
                var statement = statements.ReadSequence();
                if (statement.ReadObjectIdentifier() == statementOid && statement.HasData)
                {
                    read(statement, values);
                }
            }
        }
        catch (Exception e) when (e is AsnContentException or CryptographicException)
        {
            values.Clear();
        }

        return values;
    }
}
