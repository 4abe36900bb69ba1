using System.Net;
using System.Net.Sockets;

namespace Psd2.Core.Webhooks;

/// <summary>Why a webhook URL was refused: a stable code for clients and a sentence for people.</summary>
public sealed record WebhookUrlProblem(string Code, string Message);

/// <summary>
/// Which URLs the platform will POST to. Only https, to a public host: no loopback, private, link-local, shared, multicast or
/// reserved address, written as an IP literal or resolved from the name when connecting (see <see cref="IsPublic"/>), so a
/// client app cannot point deliveries at the platform's own network. The test harness may allow http to loopback.
/// </summary>
public static class WebhookUrls
{
    public const int MaxLength = 2048;

    /// <summary>The URL as the platform will call it, or the problem with it.</summary>
    public static (Uri? Url, WebhookUrlProblem? Problem) Check(string? url, bool allowLoopbackHttp)
    {
        if (string.IsNullOrWhiteSpace(url) || url.Length > MaxLength || !Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri)
            || uri.Scheme is not ("https" or "http") || string.IsNullOrEmpty(uri.Host) || uri.Fragment.Length > 0)
        {
            return (null, new("webhook_url_invalid", $"An absolute https URL of at most {MaxLength} characters, without a fragment."));
        }

        if (uri.UserInfo.Length > 0)
        {
            return (null, new("webhook_url_invalid", "The URL must not carry a user name or password."));
        }

        var loopbackAllowed = allowLoopbackHttp && IsLoopbackHost(uri);
        if (uri.Scheme != "https" && !loopbackAllowed)
        {
            return (null, new("webhook_url_insecure", "Webhook URLs must use https."));
        }

        if (!loopbackAllowed && !IsPublicHost(uri))
        {
            return (null, new("webhook_url_forbidden", "The URL names a loopback, private, link-local or otherwise non-public host."));
        }

        return (uri, null);
    }

    /// <summary>An address the platform may connect to: a public unicast address (or loopback, when the harness allows it).</summary>
    public static bool IsPublic(IPAddress address, bool allowLoopback = false)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (IPAddress.IsLoopback(address))
        {
            return allowLoopback;
        }

        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            return !(b[0] is 0 or 10 or 127 or >= 224
                || (b[0] == 100 && b[1] is >= 64 and <= 127)
                || (b[0] == 169 && b[1] == 254)
                || (b[0] == 172 && b[1] is >= 16 and <= 31)
                || (b[0] == 192 && b[1] == 0 && b[2] is 0 or 2)
                || (b[0] == 192 && b[1] == 168)
                || (b[0] == 198 && b[1] is 18 or 19)
                || (b[0] == 198 && b[1] == 51 && b[2] == 100)
                || (b[0] == 203 && b[1] == 0 && b[2] == 113));
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            var b = address.GetAddressBytes();
            var nat64 = b[0] == 0 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b && b.AsSpan(4, 8).IndexOfAnyExcept((byte)0) < 0;
            if (nat64)
            {
                return IsPublic(new IPAddress(b.AsSpan(12, 4)), allowLoopback);
            }

            return !(address.Equals(IPAddress.IPv6None) || address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast
                || (b[0] & 0xfe) == 0xfc          // unique local fc00::/7
                || (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8) // documentation 2001:db8::/32
                || b.AsSpan(0, 12).IndexOfAnyExcept((byte)0) < 0); // ::/96, IPv4-compatible and unspecified
        }

        return false;
    }

    private static bool IsLoopbackHost(Uri uri) => IPAddress.TryParse(uri.IdnHost.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address);

    private static bool IsPublicHost(Uri uri)
    {
        var host = uri.IdnHost.Trim('[', ']').TrimEnd('.');
        if (IPAddress.TryParse(host, out var address))
        {
            return IsPublic(address);
        }

        // A single-label name (intranet, localhost) or a reserved suffix resolves inside someone's network, never to a client app's server.
        return host.Contains('.', StringComparison.Ordinal)
            && !host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase)
            && !host.EndsWith(".local", StringComparison.OrdinalIgnoreCase)
            && !host.EndsWith(".internal", StringComparison.OrdinalIgnoreCase)
            && !host.EndsWith(".home.arpa", StringComparison.OrdinalIgnoreCase);
    }
}
