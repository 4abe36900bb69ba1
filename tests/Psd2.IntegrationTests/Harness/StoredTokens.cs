using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Npgsql;
using Psd2.Core.Security;

namespace Psd2.IntegrationTests.Harness;

/// <summary>The bank tokens the platform stores for a connection: read from psd2db and decrypted with the app's key, as the api does.</summary>
internal sealed record StoredTokens(byte[] AccessTokenCipher, byte[] RefreshTokenCipher, string AccessToken, string RefreshToken)
{
    public static TokenProtector Protector(TestApp app) =>
        new(Options.Create(new TokenProtectionOptions { EncryptionKey = app.TokenEncryptionKey }));

    /// <summary>Null when the connection holds no tokens (not authorised yet, or its tokens were forgotten).</summary>
    public static async Task<StoredTokens?> ReadAsync(TestApp app, Guid connectionId)
    {
        await using var db = new NpgsqlConnection(app.GetConnectionString("psd2db"));
        await db.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT access_token_cipher, refresh_token_cipher FROM connections WHERE id = $1", db)
        {
            Parameters = { new() { Value = connectionId } },
        };
        await using var reader = await command.ExecuteReaderAsync();
        if (!await reader.ReadAsync() || reader.IsDBNull(0) || reader.IsDBNull(1))
        {
            return null;
        }

        var protector = Protector(app);
        var (access, refresh) = ((byte[])reader[0], (byte[])reader[1]);
        return new StoredTokens(access, refresh, protector.Unprotect(access, connectionId), protector.Unprotect(refresh, connectionId));
    }

    /// <summary>Every token still stored in psd2db, decrypted: (kind, token) for each access and refresh token.</summary>
    public static async Task<IReadOnlyList<(SecretKind Kind, string Token)>> ReadAllAsync(TestApp app)
    {
        await using var db = new NpgsqlConnection(app.GetConnectionString("psd2db"));
        await db.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT id, access_token_cipher, refresh_token_cipher FROM connections WHERE access_token_cipher IS NOT NULL OR refresh_token_cipher IS NOT NULL", db);
        await using var reader = await command.ExecuteReaderAsync();
        var protector = Protector(app);
        var tokens = new List<(SecretKind, string)>();
        while (await reader.ReadAsync())
        {
            var id = reader.GetGuid(0);
            foreach (var (column, kind) in new[] { (1, SecretKind.AccessToken), (2, SecretKind.RefreshToken) })
            {
                if (!reader.IsDBNull(column) && TryUnprotect(protector, (byte[])reader[column], id) is { } token)
                {
                    tokens.Add((kind, token));
                }
            }
        }

        return tokens;
    }

    // A value this key does not open was not stored by the api of this run (a test may plant one on purpose).
    private static string? TryUnprotect(TokenProtector protector, byte[] cipher, Guid owner)
    {
        try
        {
            return protector.Unprotect(cipher, owner);
        }
        catch (CryptographicException)
        {
            return null;
        }
    }
}
