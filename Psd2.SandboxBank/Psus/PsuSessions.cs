using Npgsql;
using Psd2.SandboxBank.Infrastructure;

namespace Psd2.SandboxBank.Psus;

/// <summary>The PSU's signed-in session on the bank's own pages: a random cookie, stored hashed, short-lived.</summary>
public sealed class PsuSessions(NpgsqlDataSource dataSource, TimeProvider time)
{
    public const string CookieName = "bank_session";
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(15);

    public async Task StartAsync(HttpContext context, string personalNumber)
    {
        var token = Secrets.NewToken();
        var expiresAt = time.GetUtcNow() + Lifetime;
        await using var command = dataSource.Command(
            "INSERT INTO psu_sessions (session_hash, personal_number, expires_at) VALUES ($1, $2, $3)", Secrets.Hash(token), personalNumber, expiresAt);
        await command.ExecuteNonQueryAsync(context.RequestAborted);
        context.Response.Cookies.Append(CookieName, token, new CookieOptions
        {
            HttpOnly = true, Secure = true, SameSite = SameSiteMode.Strict, Path = "/psu", Expires = expiresAt,
        });
    }

    public async Task<string?> PersonalNumberAsync(HttpContext context)
    {
        if (context.Request.Cookies[CookieName] is not { Length: > 0 and < 100 } token)
        {
            return null;
        }

        await using var command = dataSource.Command(
            "SELECT personal_number FROM psu_sessions WHERE session_hash = $1 AND expires_at > $2", Secrets.Hash(token), time.GetUtcNow());
        return await command.ExecuteScalarAsync(context.RequestAborted) as string;
    }
}
