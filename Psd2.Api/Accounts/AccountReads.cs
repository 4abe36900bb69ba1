using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Psd2.Api.ClientApps;

namespace Psd2.Api.Accounts;

/// <summary>
/// How a read of one account's data goes. The account must be the caller's, checked in PostgreSQL before anything is
/// read or served from Redis; an answer this process served in the last few seconds, under the account's current version,
/// is served again without it (<see cref="AccountCache.OwnerRecheck"/>). Deleting accounts invalidates their version, so
/// the data of an erased user or a purged connection is not served from any cache. Otherwise the owner check and the
/// read go to PostgreSQL in one round trip, and the answer is written as JSON once and kept.
/// <c>Cache-Control: no-cache</c> (or <c>no-store</c>) reads the database and leaves the cache alone.
/// </summary>
public static class AccountReads
{
    public const string JsonContentType = "application/json; charset=utf-8";

    public static async Task<bool> IsOwnedAsync(NpgsqlDataSource db, Guid accountId, Caller caller, CancellationToken cancellationToken)
    {
        await using var batch = db.CreateBatch();
        batch.BatchCommands.Add(OwnerCheck(accountId, caller));
        return (bool)(await batch.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>
    /// The owner check and <paramref name="command"/> in one round trip; <paramref name="read"/> reads the command's rows.
    /// </summary>
    /// <returns>What <paramref name="read"/> made of the rows; null when the account is not the caller's.</returns>
    public static async Task<T?> ReadOwnedAsync<T>(
        NpgsqlDataSource db, Guid accountId, Caller caller, NpgsqlBatchCommand command, Func<NpgsqlDataReader, CancellationToken, Task<T>> read,
        CancellationToken cancellationToken) where T : class
    {
        await using var batch = db.CreateBatch();
        batch.BatchCommands.Add(OwnerCheck(accountId, caller));
        batch.BatchCommands.Add(command);
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        if (!reader.GetBoolean(0))
        {
            return null;
        }

        await reader.NextResultAsync(cancellationToken);
        return await read(reader, cancellationToken);
    }

    /// <param name="what">What is read, as part of the cache key: the same for every request that must get the same answer.</param>
    /// <param name="read">Reads the answer from the database with the owner check (<see cref="ReadOwnedAsync"/>) and writes its JSON; null when the account is not the caller's.</param>
    /// <returns>The JSON answer; null when the account is not the caller's.</returns>
    public static async Task<FileContentHttpResult?> CachedAsync(
        Caller caller, HttpRequest request, NpgsqlDataSource db, AccountCache cache, Guid accountId, string what, Func<CancellationToken, Task<byte[]?>> read,
        CancellationToken cancellationToken)
    {
        // The client app is part of the key: an answer is only ever served to the app it was read for.
        var entry = $"{caller.ClientAppId:D}:{what}";
        var lookup = Bypass(request) ? default : await cache.LookupAsync(accountId, entry);
        if (lookup is { Json: { } recent, OwnerConfirmed: true })
        {
            return TypedResults.Bytes(recent, JsonContentType);
        }

        if (lookup is { Json: { } cached, Version: { } found })
        {
            if (!await IsOwnedAsync(db, accountId, caller, cancellationToken))
            {
                return null;
            }

            cache.Confirmed(accountId, found, entry, cached);
            return TypedResults.Bytes(cached, JsonContentType);
        }

        if (await read(cancellationToken) is not { } json)
        {
            return null;
        }

        if (lookup.Version is { } version)
        {
            await cache.StoreAsync(accountId, version, entry, json);
        }

        return TypedResults.Bytes(json, JsonContentType);
    }

    private static NpgsqlBatchCommand OwnerCheck(Guid accountId, Caller caller) =>
        new("SELECT EXISTS (SELECT 1 FROM accounts WHERE id = $1 AND client_app_id = $2)") { Parameters = { new() { Value = accountId }, new() { Value = caller.ClientAppId } } };

    private static bool Bypass(HttpRequest request) =>
        request.Headers.CacheControl.Count > 0 && request.GetTypedHeaders().CacheControl is { } control && (control.NoCache || control.NoStore);
}
