using System.Diagnostics.CodeAnalysis;

namespace Psd2.SandboxPki;

/// <summary>
/// The roles a national competent authority (NCA) can authorise a payment service provider for,
/// as carried in the PSD2 QCStatement of ETSI TS 119 495 (clause 5.1).
/// </summary>
/// <remarks>
/// The numeric values equal the last arc of the role's OID (0.4.0.19495.1.n) so a value can never
/// drift away from the OID it stands for.
/// </remarks>
public enum PspRole
{
    /// <summary>PSP_AS: account servicing (the bank holding the account).</summary>
    PspAs = 1,

    /// <summary>PSP_PI: payment initiation.</summary>
    PspPi = 2,

    /// <summary>PSP_AI: account information.</summary>
    PspAi = 3,

    /// <summary>PSP_IC: issuing of card-based payment instruments.</summary>
    PspIc = 4,
}

/// <summary>OIDs and ETSI TS 119 495 names of <see cref="PspRole"/> values.</summary>
public static class PspRoleExtensions
{
    /// <summary>id-psd2-role (0.4.0.19495.1), the arc under which every role OID lives.</summary>
    public const string RoleOidArc = "0.4.0.19495.1";

    public const string PspAsOid = "0.4.0.19495.1.1";
    public const string PspPiOid = "0.4.0.19495.1.2";
    public const string PspAiOid = "0.4.0.19495.1.3";
    public const string PspIcOid = "0.4.0.19495.1.4";

    /// <summary>The role's OID, e.g. <c>0.4.0.19495.1.3</c> for <see cref="PspRole.PspAi"/>.</summary>
    public static string GetOid(this PspRole role) => role switch
    {
        PspRole.PspAs => PspAsOid,
        PspRole.PspPi => PspPiOid,
        PspRole.PspAi => PspAiOid,
        PspRole.PspIc => PspIcOid,
        _ => throw new ArgumentOutOfRangeException(nameof(role), role, "Not a PSD2 role."),
    };

    /// <summary>The role's name as the specification spells it, e.g. <c>PSP_AI</c>.</summary>
    public static string GetSpecName(this PspRole role) => role switch
    {
        PspRole.PspAs => "PSP_AS",
        PspRole.PspPi => "PSP_PI",
        PspRole.PspAi => "PSP_AI",
        PspRole.PspIc => "PSP_IC",
        _ => throw new ArgumentOutOfRangeException(nameof(role), role, "Not a PSD2 role."),
    };

    /// <summary>Maps a role OID back to the role; false for OIDs this code does not know.</summary>
    public static bool TryFromOid([NotNullWhen(true)] string? oid, out PspRole role)
    {
        switch (oid)
        {
            case PspAsOid: role = PspRole.PspAs; return true;
            case PspPiOid: role = PspRole.PspPi; return true;
            case PspAiOid: role = PspRole.PspAi; return true;
            case PspIcOid: role = PspRole.PspIc; return true;
            default: role = default; return false;
        }
    }
}
