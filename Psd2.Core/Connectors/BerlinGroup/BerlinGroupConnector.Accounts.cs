using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Psd2.Core.Connectors.BerlinGroup;

/// <summary>The account-information reads: accounts, balances, and transactions page by page through <c>_links.next</c>.</summary>
public sealed partial class BerlinGroupConnector
{
    public async Task<IReadOnlyList<ConnectorAccount>> GetAccountsAsync(ConnectorSession session, CancellationToken cancellationToken)
    {
        using var request = Request(HttpMethod.Get, "/v1/accounts", session);
        using var body = await CallAsync(request, session.PlatformRequestId, cancellationToken);
        return BankHttp.Shape(body, root => root.GetProperty("accounts").EnumerateArray().Select(a => new ConnectorAccount(
            BankHttp.Required(a, "resourceId"), BankHttp.String(a, "iban"), BankHttp.Required(a, "currency"),
            BankHttp.String(a, "name"), BankHttp.String(a, "product"), BankHttp.String(a, "ownerName"))).ToList());
    }

    public async Task<IReadOnlyList<ConnectorBalance>> GetBalancesAsync(ConnectorSession session, string accountResourceId, CancellationToken cancellationToken)
    {
        using var request = Request(HttpMethod.Get, $"/v1/accounts/{Uri.EscapeDataString(accountResourceId)}/balances", session);
        using var body = await CallAsync(request, session.PlatformRequestId, cancellationToken);
        return BankHttp.Shape(body, root => root.GetProperty("balances").EnumerateArray().Select(b =>
        {
            var amount = b.GetProperty("balanceAmount");
            return new ConnectorBalance(BankHttp.Required(b, "balanceType"), BankHttp.Decimal(BankHttp.Required(amount, "amount")),
                BankHttp.Required(amount, "currency"), BankHttp.Date(b, "referenceDate"));
        }).ToList());
    }

    /// <remarks>
    /// The next page is requested as soon as its link is known, so the bank works on it while the caller stores this
    /// one; its request is signed while the page before it is on the way, so the signature costs the chain of pages
    /// no time.
    /// </remarks>
    public async IAsyncEnumerable<IReadOnlyList<ConnectorTransaction>> GetTransactionsAsync(
        ConnectorSession session, string accountResourceId, DateOnly dateFrom, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var url = $"/v1/accounts/{Uri.EscapeDataString(accountResourceId)}/transactions?bookingStatus=both"
            + $"&dateFrom={dateFrom.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}";
        var next = ReadPageAsync(session, url, PrepareReadAsync(session, cancellationToken), cancellationToken);
        var ready = PrepareReadAsync(session, cancellationToken);
        try
        {
            while (next is not null)
            {
                List<ConnectorTransaction> page;
                using (var body = await next)
                {
                    next = null;
                    var report = BankHttp.Shape(body, root => root.GetProperty("transactions"));
                    if (Link(report, "next") is { } href)
                    {
                        next = ReadPageAsync(session, href, ready, cancellationToken);
                        ready = PrepareReadAsync(session, cancellationToken);
                    }

                    page = BankHttp.Shape(body, _ =>
                    {
                        var transactions = new List<ConnectorTransaction>();
                        foreach (var (list, booked) in new[] { ("booked", true), ("pending", false) })
                        {
                            if (report.TryGetProperty(list, out var items) && items.ValueKind == JsonValueKind.Array)
                            {
                                transactions.AddRange(items.EnumerateArray().Select(t => Transaction(t, booked)));
                            }
                        }

                        return transactions;
                    });
                }

                try
                {
                    yield return page;
                }
                finally
                {
                    // A consumer that stops early (or fails) must not leave a request running unobserved.
                    if (next is not null && !next.IsCompleted)
                    {
                        await next.ContinueWith(static t => t.Exception, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
                    }
                }
            }
        }
        finally
        {
            // The request made ready for a page that never came.
            (await ready.ContinueWith(static t => t.IsCompletedSuccessfully ? t.Result : null, TaskScheduler.Default))?.Dispose();
        }
    }

    /// <summary>A page's request, signed off the page chain where the bank requires signatures (an RSA signature is the slow part).</summary>
    private Task<HttpRequestMessage> PrepareReadAsync(ConnectorSession session, CancellationToken cancellationToken) => signer is null
        ? PrepareAsync(Request(HttpMethod.Get, null, session), cancellationToken)
        : Task.Run(() => PrepareAsync(Request(HttpMethod.Get, null, session), cancellationToken), cancellationToken);

    private async Task<JsonDocument> ReadPageAsync(ConnectorSession session, string url, Task<HttpRequestMessage> ready, CancellationToken cancellationToken)
    {
        using var request = await ready;
        request.RequestUri = new Uri(url, UriKind.RelativeOrAbsolute);
        return await CallPreparedAsync(request, session.PlatformRequestId, cancellationToken);
    }

    private static ConnectorTransaction Transaction(JsonElement t, bool booked)
    {
        var amount = t.GetProperty("transactionAmount");
        var value = BankHttp.Decimal(BankHttp.Required(amount, "amount"));
        // The counterparty is whoever is on the other side: the creditor of a payment out, the debtor of one in.
        var (name, account) = value < 0 ? ("creditorName", "creditorAccount") : ("debtorName", "debtorAccount");
        return new ConnectorTransaction(
            BankHttp.Required(t, "transactionId"), BankHttp.String(t, "entryReference"), booked, value, BankHttp.Required(amount, "currency"),
            BankHttp.Date(t, "bookingDate"), BankHttp.Date(t, "valueDate"), BankHttp.String(t, name),
            t.TryGetProperty(account, out var reference) ? BankHttp.String(reference, "iban") : null,
            BankHttp.String(t, "remittanceInformationUnstructured"), BankHttp.String(t, "bankTransactionCode"), t.GetRawText());
    }
}
