using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Psd2.Api.Connections;

/// <summary>PKCE (RFC 7636, S256) and state values.</summary>
public static class Pkce
{
    public static (string Verifier, string Challenge) Create()
    {
        var verifier = RandomToken();
        return (verifier, Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))));
    }

    public static string RandomToken() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
}
