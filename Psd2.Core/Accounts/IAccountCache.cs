namespace Psd2.Core.Accounts;

/// <summary>
/// The read API's cache of account data (balances, transaction pages). Whatever changes an account's data calls
/// <see cref="InvalidateAsync"/> once the change is committed, so that no read after it is answered from before it.
/// </summary>
public interface IAccountCache
{
    /// <summary>Makes every cached answer for these accounts unreachable. Never throws for the cache being down.</summary>
    Task InvalidateAsync(IEnumerable<Guid> accountIds, CancellationToken cancellationToken = default);
}
