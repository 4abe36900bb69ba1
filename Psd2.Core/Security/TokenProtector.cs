using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Psd2.Core.Security;

public sealed class TokenProtectionOptions
{
    public const string Section = "Tokens";

    /// <summary>A secret of at least 32 characters; the AES-256 key is derived from it.</summary>
    public string EncryptionKey { get; set; } = "";
}

/// <summary>
/// Bank tokens at rest: AES-256-GCM with a fresh nonce per value, bound to the row it belongs to (associated
/// data), so a ciphertext copied into another connection's row does not decrypt.
/// </summary>
public sealed class TokenProtector(IOptions<TokenProtectionOptions> options)
{
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private readonly byte[] _key = SHA256.HashData(Encoding.UTF8.GetBytes(options.Value.EncryptionKey));

    public byte[] Protect(string token, Guid owner)
    {
        var plain = Encoding.UTF8.GetBytes(token);
        var output = new byte[NonceSize + TagSize + plain.Length];
        var nonce = output.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_key, TagSize);
        aes.Encrypt(nonce, plain, output.AsSpan(NonceSize + TagSize), output.AsSpan(NonceSize, TagSize), owner.ToByteArray());
        return output;
    }

    public string Unprotect(byte[] protectedToken, Guid owner)
    {
        var plain = new byte[protectedToken.Length - NonceSize - TagSize];
        using var aes = new AesGcm(_key, TagSize);
        aes.Decrypt(protectedToken.AsSpan(0, NonceSize), protectedToken.AsSpan(NonceSize + TagSize), protectedToken.AsSpan(NonceSize, TagSize), plain, owner.ToByteArray());
        return Encoding.UTF8.GetString(plain);
    }
}

public static class TokenProtection
{
    /// <summary>The encryption of secrets at rest under <c>Tokens:EncryptionKey</c>, validated at start.</summary>
    public static IServiceCollection AddTokenProtection(this IServiceCollection services)
    {
        // Bank access and webhook delivery both need it; the worker has both.
        if (services.Any(s => s.ServiceType == typeof(TokenProtector)))
        {
            return services;
        }

        services.AddOptions<TokenProtectionOptions>().BindConfiguration(TokenProtectionOptions.Section)
            .Validate(o => o.EncryptionKey.Length >= 32, "Tokens:EncryptionKey must hold a secret of at least 32 characters.")
            .ValidateOnStart();
        services.AddSingleton<TokenProtector>();
        return services;
    }
}
