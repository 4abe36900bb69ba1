using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Psd2.Api.ClientApps;
using Psd2.Core.Persistence;

namespace Psd2.Api.Accounts;

/// <summary>
/// How a read of one account's data goes. The account must be the caller's, checked in PostgreSQL (a primary-key
/// lookup) before anything is read or served from Redis; an answer this process served in the last few seconds, under the
/// account's current version, is served again without it (<see cref="AccountCache.OwnerRecheck"/>). Deleting accounts
/// invalidates their version, so the data of an erased user or a purged connection is not served from any cache.
/// Otherwise the answer is read, written as JSON once and kept.
/// <c>Cache-Control: no-cache</c> (or <c>no-store</c>) reads the database and leaves the cache alone.
/// </summary>
public static class AccountReads
{
    public const string JsonContentType = "application/json; charset=utf-8";

    private static readonly Func<Psd2DbContext, Guid, Guid, Task<bool>> Owned = EF.CompileAsyncQuery(
        (Psd2DbContext db, Guid accountId, Guid clientAppId) => db.Accounts.Any(a => a.Id == accountId && a.ClientAppId == clientAppId));

    public static Task<bool> IsOwnedAsync(Psd2DbContext db, Guid accountId, Caller caller) => Owned(db, accountId, caller.ClientAppId);

    /// <param name="what">What is read, as part of the cache key: the same for every request that must get the same answer.</param>
    /// <param name="read">Reads the answer from the database and writes its JSON.</param>
    /// <returns>The JSON answer; null when the account is not the caller's.</returns>
    public static async Task<FileContentHttpResult?> CachedAsync(
        Caller caller, HttpRequest request, Psd2DbContext db, AccountCache cache, Guid accountId, string what, Func<CancellationToken, Task<byte[]>> read,
        CancellationToken cancellationToken)
    {
        // The client app is part of the key: an answer is only ever served to the app it was read for.
        var entry = $"{caller.ClientAppId:D}:{what}";
        var lookup = Bypass(request) ? default : await cache.LookupAsync(accountId, entry);
        if (lookup is { Json: { } recent, OwnerConfirmed: true })
        {
            return TypedResults.Bytes(recent, JsonContentType);
        }

        if (!await IsOwnedAsync(db, accountId, caller))
        {
            return null;
        }

        if (lookup is { Json: { } cached, Version: { } found })
        {
            cache.Confirmed(accountId, found, entry, cached);
            return TypedResults.Bytes(cached, JsonContentType);
        }

        var json = await read(cancellationToken);
        if (lookup.Version is { } version)
        {
            await cache.StoreAsync(accountId, version, entry, json);
        }

        return TypedResults.Bytes(json, JsonContentType);
    }

    /// <summary>The JSON the API would write for <paramref name="value"/>, with its own serializer options.</summary>
    public static byte[] Json<T>(IOptions<JsonOptions> json, T value) =>
        JsonSerializer.SerializeToUtf8Bytes(value, (JsonTypeInfo<T>)json.Value.SerializerOptions.GetTypeInfo(typeof(T)));

    private static bool Bypass(HttpRequest request) =>
        request.Headers.CacheControl.Count > 0 && request.GetTypedHeaders().CacheControl is { } control && (control.NoCache || control.NoStore);
}
