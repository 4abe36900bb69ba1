using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Psd2.Core.Connectors.UkOpenBanking;

/// <summary>
/// The reads: accounts (IBAN among their identifications), balances and transactions with unsigned amounts and a
/// credit/debit indicator, pages followed through <c>Links.Next</c>.
/// </summary>
public sealed partial class UkOpenBankingConnector
{
    public async Task<IReadOnlyList<ConnectorAccount>> GetAccountsAsync(ConnectorSession session, CancellationToken cancellationToken)
    {
        using var body = await ReadAsync(session, BasePath + "/accounts", cancellationToken);
        return BankHttp.Shape(body, root => root.GetProperty("Data").GetProperty("Account").EnumerateArray().Select(a =>
        {
            var identifications = a.TryGetProperty("Account", out var list) && list.ValueKind == JsonValueKind.Array ? list.EnumerateArray().ToList() : [];
            var iban = identifications.FirstOrDefault(i => BankHttp.String(i, "SchemeName") == "UK.OBIE.IBAN");
            var owner = identifications.Select(i => BankHttp.String(i, "Name")).FirstOrDefault(n => n is not null);
            return new ConnectorAccount(BankHttp.Required(a, "AccountId"), iban.ValueKind == JsonValueKind.Object ? BankHttp.String(iban, "Identification") : null,
                BankHttp.Required(a, "Currency"), BankHttp.String(a, "Nickname") ?? owner, BankHttp.String(a, "AccountTypeCode"), owner);
        }).ToList());
    }

    public async Task<IReadOnlyList<ConnectorBalance>> GetBalancesAsync(ConnectorSession session, string accountResourceId, CancellationToken cancellationToken)
    {
        using var body = await ReadAsync(session, $"{BasePath}/accounts/{Uri.EscapeDataString(accountResourceId)}/balances", cancellationToken);
        return BankHttp.Shape(body, root => root.GetProperty("Data").GetProperty("Balance").EnumerateArray().Select(b =>
        {
            var amount = b.GetProperty("Amount");
            return new ConnectorBalance(BalanceType(BankHttp.Required(b, "Type")), Signed(b, amount), BankHttp.Required(amount, "Currency"),
                DateOnly.FromDateTime(DateTimeOffset.Parse(BankHttp.Required(b, "DateTime"), CultureInfo.InvariantCulture).UtcDateTime));
        }).ToList());
    }

    public async IAsyncEnumerable<IReadOnlyList<ConnectorTransaction>> GetTransactionsAsync(
        ConnectorSession session, string accountResourceId, DateOnly dateFrom, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? url = $"{BasePath}/accounts/{Uri.EscapeDataString(accountResourceId)}/transactions"
            + $"?fromBookingDateTime={dateFrom.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}T00:00:00";
        while (url is not null)
        {
            List<ConnectorTransaction> page;
            using (var body = await ReadAsync(session, url, cancellationToken))
            {
                url = BankHttp.Shape(body, root => root.TryGetProperty("Links", out var links) ? BankHttp.String(links, "Next") : null);
                page = BankHttp.Shape(body, root => root.GetProperty("Data").TryGetProperty("Transaction", out var items) && items.ValueKind == JsonValueKind.Array
                    ? items.EnumerateArray().Select(Transaction).ToList()
                    : []);
            }

            yield return page;
        }
    }

    private async Task<JsonDocument> ReadAsync(ConnectorSession session, string url, CancellationToken cancellationToken)
    {
        using var request = Request(HttpMethod.Get, url, session.AccessToken, session.PsuIpAddress);
        return await CallAsync(request, session.PlatformRequestId, cancellationToken, unattended: session.PsuIpAddress is null);
    }

    private static ConnectorTransaction Transaction(JsonElement t)
    {
        var amount = t.GetProperty("Amount");
        var value = Signed(t, amount);
        // The counterparty is whoever is on the other side: the creditor of a payment out, the debtor of one in.
        var counterparty = t.TryGetProperty(value < 0 ? "CreditorAccount" : "DebtorAccount", out var account) ? account : default;
        var booked = BankHttp.Required(t, "Status") == "BOOK";
        // A pending entry's BookingDateTime is only when the bank expects to book it: not booked yet, it has no booking date.
        return new ConnectorTransaction(
            BankHttp.Required(t, "TransactionId"), BankHttp.String(t, "TransactionReference"), booked, value,
            BankHttp.Required(amount, "Currency"), booked ? Day(t, "BookingDateTime") : null, Day(t, "ValueDateTime"),
            counterparty.ValueKind == JsonValueKind.Object ? BankHttp.String(counterparty, "Name") : null,
            counterparty.ValueKind == JsonValueKind.Object && BankHttp.String(counterparty, "SchemeName") == "UK.OBIE.IBAN" ? BankHttp.String(counterparty, "Identification") : null,
            BankHttp.String(t, "TransactionInformation"), BankTransactionCode(t), t.GetRawText());
    }

    /// <summary>Amounts are unsigned; the indicator says which way the money went.</summary>
    private static decimal Signed(JsonElement owner, JsonElement amount)
    {
        var value = BankHttp.Decimal(BankHttp.Required(amount, "Amount"));
        return BankHttp.Required(owner, "CreditDebitIndicator") == "Debit" ? -value : value;
    }

    /// <summary>A booking's day as the bank states it (the date part of its local date-time).</summary>
    private static DateOnly? Day(JsonElement element, string name) =>
        BankHttp.String(element, name) is { } text ? DateOnly.FromDateTime(DateTimeOffset.Parse(text, CultureInfo.InvariantCulture).DateTime) : null;

    private static string? BankTransactionCode(JsonElement t) =>
        t.TryGetProperty("BankTransactionCode", out var code) ? $"{BankHttp.Required(code, "Code")}-{BankHttp.Required(code, "SubCode")}" : null;

    /// <summary>The ISO 20022 balance codes, as the platform names balance types (the Berlin Group's names).</summary>
    private static string BalanceType(string code) => code switch
    {
        "CLBD" => "closingBooked",
        "ITAV" => "interimAvailable",
        "ITBD" => "interimBooked",
        "XPCD" => "expected",
        "OPBD" => "openingBooked",
        "CLAV" => "closingAvailable",
        "FWAV" => "forwardAvailable",
        _ => code,
    };
}
