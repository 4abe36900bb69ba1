using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Psd2.Core.Connectors.Stet;

/// <summary>
/// The reads, HAL resources: accounts (their IBAN in <c>accountId</c>), balances and transactions with unsigned amounts
/// and a credit/debit indicator, pages followed through <c>_links.next</c>.
/// </summary>
public sealed partial class StetConnector
{
    public async Task<IReadOnlyList<ConnectorAccount>> GetAccountsAsync(ConnectorSession session, CancellationToken cancellationToken)
    {
        using var body = await ReadAsync(session, BasePath + "/accounts", cancellationToken);
        return BankHttp.Shape(body, root => root.GetProperty("accounts").EnumerateArray().Select(a =>
        {
            var id = a.TryGetProperty("accountId", out var accountId) ? accountId : default;
            var currency = BankHttp.String(a, "currency") ?? (id.ValueKind == JsonValueKind.Object ? BankHttp.String(id, "currency") : null);
            return new ConnectorAccount(BankHttp.Required(a, "resourceId"), id.ValueKind == JsonValueKind.Object ? BankHttp.String(id, "iban") : null,
                currency ?? throw new KeyNotFoundException("currency"), BankHttp.String(a, "name"), BankHttp.String(a, "product"), null);
        }).ToList());
    }

    public async Task<IReadOnlyList<ConnectorBalance>> GetBalancesAsync(ConnectorSession session, string accountResourceId, CancellationToken cancellationToken)
    {
        using var body = await ReadAsync(session, $"{BasePath}/accounts/{Uri.EscapeDataString(accountResourceId)}/balances", cancellationToken);
        return BankHttp.Shape(body, root => root.GetProperty("balances").EnumerateArray().Select(b =>
        {
            var amount = b.GetProperty("balanceAmount");
            return new ConnectorBalance(BalanceType(BankHttp.Required(b, "balanceType")), BankHttp.Decimal(BankHttp.Required(amount, "amount")),
                BankHttp.Required(amount, "currency"), BankHttp.Date(b, "referenceDate"));
        }).ToList());
    }

    public async IAsyncEnumerable<IReadOnlyList<ConnectorTransaction>> GetTransactionsAsync(
        ConnectorSession session, string accountResourceId, DateOnly dateFrom, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? url = $"{BasePath}/accounts/{Uri.EscapeDataString(accountResourceId)}/transactions"
            + $"?dateFrom={dateFrom.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}";
        while (url is not null)
        {
            List<ConnectorTransaction> page;
            using (var body = await ReadAsync(session, url, cancellationToken))
            {
                url = BankHttp.Shape(body, root => Link(root, "next"));
                page = BankHttp.Shape(body, root => root.GetProperty("transactions").EnumerateArray().Select(Transaction).ToList());
            }

            yield return page;
        }
    }

    private async Task<JsonDocument> ReadAsync(ConnectorSession session, string url, CancellationToken cancellationToken)
    {
        using var request = Request(HttpMethod.Get, url, session.AccessToken, session.PsuIpAddress);
        return await CallAsync(request, session.PlatformRequestId, unattended: session.PsuIpAddress is null, cancellationToken);
    }

    private static ConnectorTransaction Transaction(JsonElement t)
    {
        var amount = t.GetProperty("transactionAmount");
        var value = BankHttp.Decimal(BankHttp.Required(amount, "amount"));
        value = BankHttp.Required(t, "creditDebitIndicator") == "DBIT" ? -value : value;
        var booked = BankHttp.Required(t, "status") == "BOOK";
        // The counterparty is whoever is on the other side: the creditor of a payment out, the debtor of one in.
        var parties = t.TryGetProperty("relatedParties", out var related) && related.ValueKind == JsonValueKind.Object ? related : default;
        var (party, account) = value < 0 ? ("creditor", "creditorAccount") : ("debtor", "debtorAccount");
        return new ConnectorTransaction(
            BankHttp.String(t, "resourceId") ?? BankHttp.Required(t, "entryReference"), BankHttp.String(t, "entryReference"), booked, value,
            BankHttp.Required(amount, "currency"), booked ? BankHttp.Date(t, "bookingDate") : null, BankHttp.Date(t, "valueDate"),
            Member(parties, party, "name"), Member(parties, account, "iban"), Remittance(t), BankHttp.String(t, "bankTransactionCode"), t.GetRawText());
    }

    /// <summary>A string two levels down (<c>creditor.name</c>), when both are there.</summary>
    private static string? Member(JsonElement parent, string name, string field) =>
        parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(name, out var child) && child.ValueKind == JsonValueKind.Object
            ? BankHttp.String(child, field) : null;

    /// <summary>Unstructured remittance: an array of one line up to v1.4.0, <c>{"unstructured": [...]}</c> from v1.4.2.</summary>
    private static string? Remittance(JsonElement t)
    {
        if (!t.TryGetProperty("remittanceInformation", out var remittance))
        {
            return null;
        }

        var lines = remittance.ValueKind == JsonValueKind.Object && remittance.TryGetProperty("unstructured", out var unstructured) ? unstructured : remittance;
        return lines.ValueKind == JsonValueKind.Array
            ? string.Join(' ', lines.EnumerateArray().Where(l => l.ValueKind == JsonValueKind.String).Select(l => l.GetString())) is { Length: > 0 } text ? text : null
            : null;
    }

    private static string? Link(JsonElement body, string name) =>
        body.TryGetProperty("_links", out var links) && links.TryGetProperty(name, out var link) ? BankHttp.String(link, "href") : null;

    /// <summary>STET's balance statuses, as the platform names balance types (the Berlin Group's names).</summary>
    private static string BalanceType(string code) => code switch
    {
        "CLBD" => "closingBooked",
        "XPCD" => "expected",
        _ => code,
    };
}
