namespace Psd2.SandboxBank.UkOpenBanking;

/// <summary>Where the UK Open Banking Account and Transaction API v4.0 lives, and the scopes its tokens carry.</summary>
public static class OpenBankingPaths
{
    public const string Base = "/open-banking/v4.0/aisp";

    public static bool IsOpenBankingPath(PathString path) => path.StartsWithSegments(Base);

    /// <summary>An absolute URL on the TPP endpoint, as the spec's Links require.</summary>
    public static string Absolute(BankOptions options, string pathAndQuery) => options.TppBaseUrl.TrimEnd('/') + pathAndQuery;
}

public static class Scopes
{
    /// <summary>What a client-credentials token may do: create and read the TPP's account-access consents.</summary>
    public const string ClientCredentials = "accounts";

    /// <summary>What a token from the PSU's authorisation may do: read the accounts of its consent.</summary>
    public const string AuthorizationCode = "openid accounts";
}
