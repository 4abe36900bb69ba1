using System.Text.Json;

namespace Psd2.IntegrationTests.Harness;

/// <summary>A PSU's data as the bank itself serves it, read over the test's own consent with the PSU present (no budget used).</summary>
internal static class BankData
{
    public const string PsuIp = "203.0.113.7";

    /// <summary>Every booked and pending transaction of an account from a date on, all pages.</summary>
    public static async Task<List<JsonElement>> TransactionsAsync(BankTpp bank, Connection connection, string resourceId, DateOnly from) =>
        (await TransactionsWithStatusAsync(bank, connection, resourceId, from)).Select(t => t.Transaction).ToList();

    /// <summary>The same, each with the list the bank put it in: booked or pending.</summary>
    public static async Task<List<(string Status, JsonElement Transaction)>> TransactionsWithStatusAsync(BankTpp bank, Connection connection, string resourceId, DateOnly from)
    {
        var all = new List<(string, JsonElement)>();
        string? url = $"/v1/accounts/{resourceId}/transactions?bookingStatus=both&dateFrom={from:yyyy-MM-dd}";
        while (url is not null)
        {
            using var response = await bank.GetAsync(url, connection.ConsentId, connection.AccessToken, PsuIp);
            response.EnsureSuccessStatusCode();
            var report = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("transactions");
            foreach (var list in new[] { "booked", "pending" })
            {
                if (report.TryGetProperty(list, out var items))
                {
                    all.AddRange(items.EnumerateArray().Select(t => (list, t.Clone())));
                }
            }

            url = report.TryGetProperty("_links", out var links) && links.TryGetProperty("next", out var next) ? next.GetProperty("href").GetString() : null;
        }

        return all;
    }

    public static async Task<List<JsonElement>> AccountsAsync(BankTpp bank, Connection connection)
    {
        using var response = await bank.GetAsync("/v1/accounts", connection.ConsentId, connection.AccessToken, PsuIp);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accounts").EnumerateArray().Select(a => a.Clone()).ToList();
    }

    public static async Task<List<JsonElement>> BalancesAsync(BankTpp bank, Connection connection, string resourceId)
    {
        using var response = await bank.GetAsync($"/v1/accounts/{resourceId}/balances", connection.ConsentId, connection.AccessToken, PsuIp);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("balances").EnumerateArray().Select(b => b.Clone()).ToList();
    }
}
