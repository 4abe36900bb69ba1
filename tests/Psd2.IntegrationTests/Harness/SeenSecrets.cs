using System.Collections.Concurrent;
using Npgsql;

namespace Psd2.IntegrationTests.Harness;

/// <summary>What a secret is, for reports that must name the kind and never show the secret.</summary>
public enum SecretKind
{
    AuthorizationCode,
    PkceVerifier,
    AccessToken,
    RefreshToken,
    ApiKey,
    TokenEncryptionKey,
    WebhookSecret,
    ConnectLinkToken,
}

/// <summary>
/// One kind of secret found in one resource's log: how many distinct secrets of that kind, and the first line holding
/// one, with every secret in it masked (so the report shows where the leak is without repeating it).
/// </summary>
public sealed record SecretFinding(SecretKind Kind, string Resource, int Secrets, int FirstLine, string MaskedLine);

/// <summary>
/// The secrets tests saw during the whole run: authorization codes in callback URLs, the PKCE verifiers the api kept in
/// Redis, bank tokens decrypted from psd2db, API keys. When the run ends, <see cref="AppFixture"/> looks for every one
/// of them in every resource's complete log and fails the run for any it finds.
/// </summary>
internal static class SeenSecrets
{
    private static readonly ConcurrentDictionary<string, SecretKind> Register = new(StringComparer.Ordinal);

    public static void Add(SecretKind kind, string? secret)
    {
        Assert.False(string.IsNullOrWhiteSpace(secret), $"an empty {kind} cannot be looked for");
        Register.TryAdd(secret, kind);
    }

    public static int Count(SecretKind kind) => Register.Values.Count(k => k == kind);

    /// <summary>
    /// The PKCE verifier the api keeps for the callback's state and, when the user approved, the code in the callback.
    /// Call it after the bank redirected the browser and before the callback is called, which takes the state.
    /// </summary>
    public static async Task AddCallbackAsync(TestApp app, Uri callback)
    {
        var state = BankTpp.Query(callback, "state");
        Assert.True(state is not null, "the callback carries no state: " + callback.GetLeftPart(UriPartial.Path));
        var verifier = await OAuthStates.CodeVerifierAsync(app, state);
        Assert.True(verifier is not null, "the api holds no PKCE verifier for the callback's state: was the callback called already?");
        Add(SecretKind.PkceVerifier, verifier);
        if (BankTpp.Query(callback, "code") is { } code)
        {
            Add(SecretKind.AuthorizationCode, code);
        }
    }

    /// <summary>The bank tokens stored for an authorised connection, decrypted; fails when it holds none.</summary>
    public static async Task<StoredTokens> AddTokensAsync(TestApp app, Guid connectionId)
    {
        var tokens = await StoredTokens.ReadAsync(app, connectionId);
        Assert.True(tokens is not null, $"connection {connectionId} holds no tokens to register");
        Add(SecretKind.AccessToken, tokens.AccessToken);
        Add(SecretKind.RefreshToken, tokens.RefreshToken);
        return tokens;
    }

    /// <summary>Every token still stored at the end of the run, whichever test (or flow) made it.</summary>
    public static async Task AddStoredTokensAsync(TestApp app)
    {
        foreach (var (kind, token) in await StoredTokens.ReadAllAsync(app))
        {
            Add(kind, token);
        }
    }

    /// <summary>What the run authorised: connections through either flow, and redirect connections a test drove by hand.</summary>
    /// <remarks>
    /// A redirect started through the API sends the bank's redirect to the test, which sees the code and must register it;
    /// one started on the Connect page runs in a real browser that keeps the code to itself. Connect page users are
    /// those given a Connect link.
    /// </remarks>
    public static async Task<(long Connections, long RedirectsByHand)> AuthorisationsAsync(TestApp app)
    {
        await using var db = new NpgsqlConnection(app.GetConnectionString("psd2db"));
        await db.OpenAsync();
        await using var command = new NpgsqlCommand("""
            SELECT count(*),
                   count(*) FILTER (WHERE a.details->>'flow' = 'redirect' AND NOT EXISTS (
                       SELECT 1 FROM audit_events l WHERE l.type = 'connect_link.created' AND l.user_id = a.user_id))
            FROM audit_events a WHERE a.type = 'connection.authorised'
            """, db);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    /// <summary>Each registered secret looked for in each log file, line by line (a secret never spans lines).</summary>
    public static IReadOnlyList<SecretFinding> FindIn(IReadOnlyDictionary<string, string> logFiles)
    {
        var secrets = Register.ToArray();
        var findings = new List<SecretFinding>();
        foreach (var (resource, path) in logFiles.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            var found = new Dictionary<SecretKind, (HashSet<string> Secrets, int FirstLine, string MaskedLine)>();
            var number = 0;
            foreach (var line in File.ReadLines(path))
            {
                number++;
                foreach (var (secret, kind) in secrets)
                {
                    if (line.Contains(secret, StringComparison.Ordinal))
                    {
                        var entry = found.TryGetValue(kind, out var seen) ? seen : ([], number, Mask(line, secrets));
                        entry.Secrets.Add(secret);
                        found[kind] = entry;
                    }
                }
            }

            findings.AddRange(found.Select(f => new SecretFinding(f.Key, resource, f.Value.Secrets.Count, f.Value.FirstLine, f.Value.MaskedLine)));
        }

        return findings;
    }

    private static string Mask(string line, KeyValuePair<string, SecretKind>[] secrets) =>
        secrets.Aggregate(line, (masked, secret) => masked.Replace(secret.Key, $"<{secret.Value}>", StringComparison.Ordinal));
}
