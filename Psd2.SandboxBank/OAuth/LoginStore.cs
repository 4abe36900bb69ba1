using Npgsql;
using Psd2.SandboxBank.Infrastructure;

namespace Psd2.SandboxBank.OAuth;

/// <summary>A PSU's sign-in in progress at /oauth2/authorize: the OAuth request being answered and who signed in.</summary>
public sealed record Login(
    string LoginId, string AuthorisationId, string ClientId, string RedirectUri, string State, string CodeChallenge,
    string? PersonalNumber, DateTimeOffset ExpiresAt);

public sealed class LoginStore(NpgsqlDataSource dataSource)
{
    private const string Columns = "login_id, authorisation_id, client_id, redirect_uri, state, code_challenge, personal_number, expires_at";

    public async Task AddAsync(Login login, CancellationToken cancellationToken)
    {
        await using var command = dataSource.Command(
            $"INSERT INTO logins ({Columns}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            login.LoginId, login.AuthorisationId, login.ClientId, login.RedirectUri, login.State, login.CodeChallenge, login.PersonalNumber, login.ExpiresAt);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<Login?> FindAsync(string loginId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var command = dataSource.Command($"SELECT {Columns} FROM logins WHERE login_id = $1 AND expires_at > $2", loginId, now);
        return await ReadOneAsync(command, cancellationToken);
    }

    public async Task IdentifyAsync(string loginId, string personalNumber, CancellationToken cancellationToken)
    {
        await using var command = dataSource.Command("UPDATE logins SET personal_number = $2 WHERE login_id = $1", loginId, personalNumber);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Ends the sign-in and returns it, once: a second submit of the same page finds nothing.</summary>
    public async Task<Login?> TakeAsync(string loginId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var command = dataSource.Command(
            $"DELETE FROM logins WHERE login_id = $1 AND expires_at > $2 AND personal_number IS NOT NULL RETURNING {Columns}", loginId, now);
        return await ReadOneAsync(command, cancellationToken);
    }

    private static async Task<Login?> ReadOneAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new Login(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4),
                reader.GetString(5), reader.GetStringOrNull(6), reader.GetFieldValue<DateTimeOffset>(7))
            : null;
    }
}
