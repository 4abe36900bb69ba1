using System.Runtime.CompilerServices;
using Psd2.Core.Connectors;

namespace Psd2.Api.Tests.Sync;

/// <summary>
/// A bank in this process: the transaction pages and balances a test sets, served as a connector serves them, with a
/// page that can fail instead (<see cref="FailOnPage"/>), and the date each read asked from.
/// </summary>
internal sealed class StubBankConnector : IAccountReader
{
    public List<IReadOnlyList<ConnectorTransaction>> Pages { get; } = [];

    public List<ConnectorBalance> Balances { get; } = [];

    /// <summary>The page (from 0) that fails with a transient failure instead of being served.</summary>
    public int? FailOnPage { get; set; }

    public List<DateOnly> ReadsFrom { get; } = [];

    public Task<IReadOnlyList<ConnectorAccount>> GetAccountsAsync(ConnectorSession session, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<ConnectorAccount>>([]);

    public Task<IReadOnlyList<ConnectorBalance>> GetBalancesAsync(ConnectorSession session, string accountResourceId, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<ConnectorBalance>>([.. Balances]);

    public async IAsyncEnumerable<IReadOnlyList<ConnectorTransaction>> GetTransactionsAsync(
        ConnectorSession session, string accountResourceId, DateOnly dateFrom, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ReadsFrom.Add(dateFrom);
        for (var page = 0; page < Pages.Count; page++)
        {
            await Task.Yield();
            if (page == FailOnPage)
            {
                throw new ConnectorException(ConnectorFailure.Transient, "INTERNAL_SERVER_ERROR", $"page {page} failed");
            }

            yield return Pages[page];
        }
    }

    /// <summary>One page holding these transactions.</summary>
    public void Serve(params ConnectorTransaction[] transactions)
    {
        Pages.Clear();
        Pages.Add(transactions);
    }
}
