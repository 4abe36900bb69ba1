using System.Diagnostics.CodeAnalysis;
using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Psd2.SandboxPki;

/// <summary>Which kind of qualified certificate a QcType statement declares (ETSI EN 319 412-5).</summary>
public enum QcCertificateKind
{
    /// <summary>id-etsi-qct-web: a website authentication certificate (QWAC).</summary>
    Web,

    /// <summary>id-etsi-qct-eseal: an electronic seal certificate (QSealC).</summary>
    ESeal,
}

/// <summary>
/// Writes and reads the qcStatements extension (RFC 3739) the way eIDAS PSD2 certificates carry it:
/// QcCompliance, QcType (web or eseal) and the PSD2 statement of ETSI TS 119 495.
/// </summary>
public static class Psd2QcStatements
{
    /// <summary>id-pe-qcStatements.</summary>
    public const string ExtensionOid = "1.3.6.1.5.5.7.1.3";

    /// <summary>esi4-qcStatement-1: the certificate is an EU qualified certificate.</summary>
    public const string QcComplianceOid = "0.4.0.1862.1.1";

    /// <summary>esi4-qcStatement-6: the type(s) of qualified certificate.</summary>
    public const string QcTypeOid = "0.4.0.1862.1.6";

    public const string QcTypeESealOid = "0.4.0.1862.1.6.2";
    public const string QcTypeWebOid = "0.4.0.1862.1.6.3";

    /// <summary>etsi-psd2-qcStatement: roles of the PSP and the authorising NCA.</summary>
    public const string Psd2QcTypeOid = "0.4.0.19495.2";

    // TS 119 495 writes SIZE(256) but means an upper bound; real NCA names and ids are far shorter.
    private const int MaxNameLength = 256;

    /// <summary>
    /// Builds the non-critical qcStatements extension for a PSD2 QWAC (<see cref="QcCertificateKind.Web"/>)
    /// or QSealC (<see cref="QcCertificateKind.ESeal"/>).
    /// </summary>
    /// <param name="kind">The QcType to declare.</param>
    /// <param name="roles">The PSP roles the NCA authorised; at least one, duplicates are dropped.</param>
    /// <param name="ncaName">The NCA's name, e.g. "Finansinspektionen".</param>
    /// <param name="ncaId">The NCA's identifier: two-letter country code, '-', NCA abbreviation, e.g. "SE-FINA".</param>
    public static X509Extension CreateExtension(QcCertificateKind kind, IEnumerable<PspRole> roles, string ncaName, string ncaId)
    {
        ArgumentNullException.ThrowIfNull(roles);
        ValidateName(ncaName, nameof(ncaName));
        ValidateName(ncaId, nameof(ncaId));

        var distinctRoles = roles.Distinct().ToList();
        if (distinctRoles.Count == 0)
        {
            // A PSD2 certificate without a role authorises nothing, so it is almost certainly a caller bug.
            throw new ArgumentException("At least one PSP role is required.", nameof(roles));
        }

        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            using (writer.PushSequence())
            {
                writer.WriteObjectIdentifier(QcComplianceOid);
            }

            using (writer.PushSequence())
            {
                writer.WriteObjectIdentifier(QcTypeOid);
                using (writer.PushSequence())
                {
                    writer.WriteObjectIdentifier(kind switch
                    {
                        QcCertificateKind.Web => QcTypeWebOid,
                        QcCertificateKind.ESeal => QcTypeESealOid,
                        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown certificate kind."),
                    });
                }
            }

            using (writer.PushSequence())
            {
                writer.WriteObjectIdentifier(Psd2QcTypeOid);
                using (writer.PushSequence())
                {
                    using (writer.PushSequence())
                    {
                        foreach (var role in distinctRoles)
                        {
                            using (writer.PushSequence())
                            {
                                writer.WriteObjectIdentifier(role.GetOid());
                                writer.WriteCharacterString(UniversalTagNumber.UTF8String, role.GetSpecName());
                            }
                        }
                    }

                    writer.WriteCharacterString(UniversalTagNumber.UTF8String, ncaName);
                    writer.WriteCharacterString(UniversalTagNumber.UTF8String, ncaId);
                }
            }
        }

        return new X509Extension(ExtensionOid, writer.Encode(), critical: false);
    }

    /// <summary>
    /// Reads the PSD2 statement from a certificate's qcStatements extension.
    /// </summary>
    /// <returns>
    /// False when the certificate has no qcStatements extension, the extension has no PSD2 statement, or it is
    /// malformed. Role OIDs this code does not know are skipped rather than failing the whole read, so a newer
    /// role can never widen what a certificate is trusted for here.
    /// </returns>
    public static bool TryRead(
        X509Certificate2 certificate,
        [NotNullWhen(true)] out IReadOnlyList<PspRole>? roles,
        [NotNullWhen(true)] out string? ncaName,
        [NotNullWhen(true)] out string? ncaId)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        roles = null;
        ncaName = null;
        ncaId = null;

        if (!TryParse(certificate, out var parsed) || parsed.Roles is null)
        {
            return false;
        }

        roles = parsed.Roles;
        ncaName = parsed.NcaName!;
        ncaId = parsed.NcaId!;
        return true;
    }

    /// <summary>Reads which kinds the QcType statement declares (a certificate may declare several).</summary>
    /// <returns>False when there is no readable QcType statement.</returns>
    public static bool TryReadKinds(X509Certificate2 certificate, [NotNullWhen(true)] out IReadOnlyList<QcCertificateKind>? kinds)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        kinds = null;
        if (!TryParse(certificate, out var parsed) || parsed.Kinds is null)
        {
            return false;
        }

        kinds = parsed.Kinds;
        return true;
    }

    private static void ValidateName(string value, string parameterName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(value, parameterName);
        if (value.Length > MaxNameLength)
        {
            throw new ArgumentException($"At most {MaxNameLength} characters are allowed.", parameterName);
        }
    }

    private static bool TryParse(X509Certificate2 certificate, out ParsedStatements parsed)
    {
        parsed = default;
        var extension = certificate.Extensions[ExtensionOid];
        if (extension is null)
        {
            return false;
        }

        try
        {
            parsed = Parse(extension.RawData);
            return true;
        }
        catch (AsnContentException)
        {
            return false;
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    private static ParsedStatements Parse(byte[] extensionValue)
    {
        // BER rather than DER: certificates from real QTSPs are not always strictly DER inside extensions,
        // and rejecting them would lock out a TPP over an encoding detail.
        var outer = new AsnReader(extensionValue, AsnEncodingRules.BER);
        var statements = outer.ReadSequence();
        outer.ThrowIfNotEmpty();

        var result = default(ParsedStatements);
        while (statements.HasData)
        {
            var statement = statements.ReadSequence();
            var statementId = statement.ReadObjectIdentifier();
            switch (statementId)
            {
                case Psd2QcTypeOid:
                    if (result.Roles is not null)
                    {
                        // Two PSD2 statements could disagree about the roles; refuse instead of picking one.
                        throw new AsnContentException("Duplicate PSD2 QCStatement.");
                    }

                    result = ReadPsd2Statement(statement, result);
                    break;

                case QcTypeOid:
                    result = result with { Kinds = ReadQcTypes(statement) };
                    break;

                default:
                    // Other statements (QcSSCD, QcPDS, retention period, ...) are irrelevant to PSD2 roles.
                    break;
            }
        }

        return result;
    }

    private static ParsedStatements ReadPsd2Statement(AsnReader statement, ParsedStatements result)
    {
        var psd2QcType = statement.ReadSequence();
        statement.ThrowIfNotEmpty();

        var rolesOfPsp = psd2QcType.ReadSequence();
        var roles = new List<PspRole>();
        while (rolesOfPsp.HasData)
        {
            var roleOfPsp = rolesOfPsp.ReadSequence();
            var roleOid = roleOfPsp.ReadObjectIdentifier();
            _ = roleOfPsp.ReadCharacterString(UniversalTagNumber.UTF8String);
            roleOfPsp.ThrowIfNotEmpty();

            // The OID is authoritative; the name is only a human-readable echo of it.
            if (PspRoleExtensions.TryFromOid(roleOid, out var role) && !roles.Contains(role))
            {
                roles.Add(role);
            }
        }

        var ncaName = psd2QcType.ReadCharacterString(UniversalTagNumber.UTF8String);
        var ncaId = psd2QcType.ReadCharacterString(UniversalTagNumber.UTF8String);
        psd2QcType.ThrowIfNotEmpty();

        return result with { Roles = roles, NcaName = ncaName, NcaId = ncaId };
    }

    private static List<QcCertificateKind> ReadQcTypes(AsnReader statement)
    {
        var types = statement.ReadSequence();
        statement.ThrowIfNotEmpty();

        var kinds = new List<QcCertificateKind>();
        while (types.HasData)
        {
            switch (types.ReadObjectIdentifier())
            {
                case QcTypeWebOid:
                    kinds.Add(QcCertificateKind.Web);
                    break;
                case QcTypeESealOid:
                    kinds.Add(QcCertificateKind.ESeal);
                    break;
                default:
                    // e.g. id-etsi-qct-esign: not a kind PSD2 access control cares about.
                    break;
            }
        }

        return kinds;
    }

    private readonly record struct ParsedStatements(
        IReadOnlyList<PspRole>? Roles,
        string? NcaName,
        string? NcaId,
        IReadOnlyList<QcCertificateKind>? Kinds);
}
