using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Psd2.SandboxBank.Infrastructure;

/// <summary>Unguessable identifiers and tokens, and the hashes under which codes and tokens are stored.</summary>
public static class Secrets
{
    /// <summary>128 random bits as hex: consent, authorisation and sign-in ids.</summary>
    public static string NewId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    /// <summary>256 random bits, base64url: codes, tokens, cookies.</summary>
    public static string NewToken() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    public static byte[] Hash(string value) => SHA256.HashData(Encoding.UTF8.GetBytes(value));

    public static bool FixedTimeEquals(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(a), Encoding.UTF8.GetBytes(b));
}
