namespace Psd2.Core.ClientApps;

public static class RedirectUris
{
    /// <summary>Absolute https, or http on loopback for local development; never a fragment.</summary>
    public static bool IsAcceptable(string value) =>
        value.Length <= 2000
        && Uri.TryCreate(value, UriKind.Absolute, out var uri)
        && string.IsNullOrEmpty(uri.Fragment)
        && (uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback));
}
