using Psd2.SandboxBank.BerlinGroup;
using Psd2.SandboxBank.Data;

namespace Psd2.SandboxBank.Consents;

/// <summary>The request headers that shape a new consent and its SCA approach.</summary>
public sealed record ConsentHeaders(string? PsuId, string? RedirectUri, string? NokRedirectUri, bool Decoupled, TppError? Error)
{
    public static ConsentHeaders Read(IHeaderDictionary headers)
    {
        var psuId = Single(headers, "PSU-ID");
        if (psuId is not null && !PersonalNumber.IsValid(psuId))
        {
            return Failed(TppError.FormatError("PSU-ID must be a personal number (12 digits, valid check digit).", "PSU-ID"));
        }

        if (!TryFlag(headers, "TPP-Decoupled-Preferred", out var decoupledPreferred) || !TryFlag(headers, "TPP-Redirect-Preferred", out var redirectPreferred))
        {
            return Failed(TppError.FormatError("TPP-Decoupled-Preferred and TPP-Redirect-Preferred are true or false."));
        }

        // Decoupled when asked for, or when redirect is refused and the PSU is named; BankID needs the personal number.
        var decoupled = decoupledPreferred == true || (redirectPreferred == false && psuId is not null);
        if (decoupled && psuId is null)
        {
            return Failed(TppError.FormatError("Decoupled SCA needs the PSU-ID header.", "PSU-ID"));
        }

        var redirectUri = Single(headers, "TPP-Redirect-URI");
        var nokRedirectUri = Single(headers, "TPP-Nok-Redirect-URI");
        if (!decoupled && redirectUri is null)
        {
            return Failed(TppError.FormatError("TPP-Redirect-URI is required for redirect SCA.", "TPP-Redirect-URI"));
        }

        foreach (var (uri, name) in new[] { (redirectUri, "TPP-Redirect-URI"), (nokRedirectUri, "TPP-Nok-Redirect-URI") })
        {
            if (uri is not null && !IsAcceptableRedirect(uri))
            {
                return Failed(TppError.FormatError($"{name} must be an absolute https URI (http only on loopback), without fragment.", name));
            }
        }

        return new ConsentHeaders(psuId, redirectUri, nokRedirectUri, decoupled, null);
    }

    public static bool IsAcceptableRedirect(string value) =>
        value.Length <= 2000
        && Uri.TryCreate(value, UriKind.Absolute, out var uri)
        && string.IsNullOrEmpty(uri.Fragment)
        && (uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback));

    private static ConsentHeaders Failed(TppError error) => new(null, null, null, false, error);

    private static string? Single(IHeaderDictionary headers, string name) =>
        headers.TryGetValue(name, out var values) && values.Count > 0 ? values[0] : null;

    private static bool TryFlag(IHeaderDictionary headers, string name, out bool? value)
    {
        value = null;
        var text = Single(headers, name);
        if (text is null)
        {
            return true;
        }

        if (bool.TryParse(text, out var flag))
        {
            value = flag;
            return true;
        }

        return false;
    }
}
