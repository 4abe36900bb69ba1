using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Psd2.Core.ClientApps;

/// <summary>
/// API keys read <c>psd2_&lt;prefix&gt;_&lt;secret&gt;</c>: the prefix finds the key, the 256-bit secret proves it. Only a
/// SHA-256 of the secret is stored; with that much entropy a slow hash would add nothing but latency.
/// </summary>
public static class ApiKeyFormat
{
    private const string Scheme = "psd2_";

    public static (string Key, string Prefix, byte[] SecretHash) Generate()
    {
        var prefix = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        var secret = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        return ($"{Scheme}{prefix}_{secret}", prefix, Hash(secret));
    }

    public static bool TryParse(string key, out string prefix, out string secret)
    {
        prefix = secret = "";
        if (key.Length is < 20 or > 100 || !key.StartsWith(Scheme, StringComparison.Ordinal))
        {
            return false;
        }

        var separator = key.IndexOf('_', Scheme.Length);
        if (separator < 0)
        {
            return false;
        }

        prefix = key[Scheme.Length..separator];
        secret = key[(separator + 1)..];
        return prefix.Length == 12 && secret.Length > 0;
    }

    public static byte[] Hash(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));

    public static bool Matches(string secret, byte[] storedHash) => CryptographicOperations.FixedTimeEquals(Hash(secret), storedHash);
}
