using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Psd2.Core.Webhooks;

/// <summary>
/// How a delivery is signed and verified. The signed content is <c>"&lt;timestamp&gt;.&lt;body&gt;"</c> (the
/// <see cref="TimestampHeader"/> value, a dot, the raw request body); the signature is HMAC-SHA256 under the
/// endpoint's secret (its UTF-8 bytes), in lowercase hex, sent as <c>v1=&lt;hex&gt;</c> in <see cref="SignatureHeader"/>.
/// During a secret rotation the header carries one <c>v1=</c> per valid secret, separated by commas.
/// </summary>
public static class WebhookSignature
{
    public const string EventIdHeader = "Psd2-Event-Id";
    public const string EventTypeHeader = "Psd2-Event-Type";
    public const string TimestampHeader = "Psd2-Timestamp";
    public const string SignatureHeader = "Psd2-Signature";
    /// <summary>The delivery (one event to one endpoint); the same on every retry and redelivery of it.</summary>
    public const string DeliveryIdHeader = "Psd2-Delivery-Id";
    public const string Scheme = "v1";

    /// <summary>How far a timestamp may be from the receiver's clock before it refuses the delivery as a replay.</summary>
    public static readonly TimeSpan DefaultTolerance = TimeSpan.FromMinutes(5);

    /// <summary>The <see cref="TimestampHeader"/> value for a moment: Unix seconds.</summary>
    public static string Timestamp(DateTimeOffset at) => at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

    /// <summary>The hex HMAC-SHA256 of <c>"&lt;timestamp&gt;.&lt;body&gt;"</c> under one secret.</summary>
    public static string Compute(string secret, string timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.UTF8.GetBytes(timestamp + ".");
        var content = new byte[prefix.Length + body.Length];
        prefix.CopyTo(content, 0);
        body.CopyTo(content.AsSpan(prefix.Length));
        return Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), content));
    }

    /// <summary>The <see cref="SignatureHeader"/> value: one <c>v1=</c> per secret that signs now (the current one first).</summary>
    public static string Header(IEnumerable<string> secrets, string timestamp, ReadOnlySpan<byte> body)
    {
        var signatures = new List<string>();
        foreach (var secret in secrets)
        {
            signatures.Add($"{Scheme}={Compute(secret, timestamp, body)}");
        }

        return string.Join(',', signatures);
    }

    /// <summary>
    /// What a receiver checks: the timestamp is within <paramref name="tolerance"/> of <paramref name="now"/>, and one of the
    /// header's <c>v1=</c> signatures is that of the body and timestamp under <paramref name="secret"/> (compared in constant time).
    /// </summary>
    public static bool Verify(string secret, string? signatureHeader, string? timestamp, ReadOnlySpan<byte> body, DateTimeOffset now, TimeSpan? tolerance = null)
    {
        if (string.IsNullOrEmpty(signatureHeader) || !long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            || seconds > 253_402_300_799)
        {
            return false;
        }

        if ((now - DateTimeOffset.FromUnixTimeSeconds(seconds)).Duration() > (tolerance ?? DefaultTolerance))
        {
            return false;
        }

        var expected = Encoding.ASCII.GetBytes(Compute(secret, timestamp!, body));
        foreach (var part in signatureHeader.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (part.StartsWith(Scheme + "=", StringComparison.Ordinal)
                && CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(part[(Scheme.Length + 1)..])))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A new signing secret: <c>whsec_</c> and 32 random bytes, base64url.</summary>
    public static string NewSecret() => "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
