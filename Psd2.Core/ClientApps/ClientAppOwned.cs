namespace Psd2.Core.ClientApps;

/// <summary>Data that belongs to one client app: another app's is as unknown to it as a missing row.</summary>
public interface IClientAppOwned
{
    Guid ClientAppId { get; }
}

public static class ClientAppOwnership
{
    /// <summary>The rows of <paramref name="query"/> that belong to the client app: the one ownership check every read and write starts from.</summary>
    public static IQueryable<T> OwnedBy<T>(this IQueryable<T> query, Guid clientAppId) where T : class, IClientAppOwned =>
        query.Where(row => row.ClientAppId == clientAppId);
}
