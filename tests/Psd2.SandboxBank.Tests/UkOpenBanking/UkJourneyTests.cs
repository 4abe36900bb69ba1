using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Npgsql;
using Psd2.SandboxBank.Accounts;
using Psd2.SandboxBank.Data;
using Psd2.SandboxBank.Psus;
using Psd2.SandboxBank.Time;

namespace Psd2.SandboxBank.Tests.UkOpenBanking;

[Collection(UkBankCollection.Name)]
public sealed class UkJourneyTests(UkBank bank)
{
    [Fact]
    public async Task A_TPP_reads_accounts_balances_and_every_transaction_page_then_rotates_its_refresh_token()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var ct = timeout.Token;
        using var tpp = new UkTpp(bank, bank.Tpp);
        var personalNumber = await bank.CreatePsuAsync(seed: 101, ct);

        var clientToken = await tpp.ClientCredentialsTokenAsync(ct);
        var consentId = await tpp.CreateConsentAsync(clientToken, ct);
        var tokens = await tpp.AuthoriseAsync(consentId, personalNumber, ct);

        var (consentStatus, consent) = await tpp.GetAsync($"/account-access-consents/{consentId}", "/account-access-consents/{ConsentId}", clientToken, ct);
        Assert.Equal(HttpStatusCode.OK, consentStatus);
        Assert.Equal("AUTH", consent!["Data"]!["Status"]!.GetValue<string>());

        var (accountsStatus, accounts) = await tpp.GetAsync("/accounts", "/accounts", tokens.AccessToken, ct);
        Assert.Equal(HttpStatusCode.OK, accountsStatus);
        var list = accounts!["Data"]!["Account"]!.AsArray();
        Assert.Equal(2, list.Count);
        var first = list[0]!;
        var identifications = first["Account"]!.AsArray();
        var sortCode = identifications.Single(a => a!["SchemeName"]!.GetValue<string>() == "UK.OBIE.SortCodeAccountNumber")!["Identification"]!.GetValue<string>();
        var iban = identifications.Single(a => a!["SchemeName"]!.GetValue<string>() == "UK.OBIE.IBAN")!["Identification"]!.GetValue<string>();
        Assert.Matches("^04[0-9]{12}$", sortCode);
        Assert.Matches("^GB[0-9]{2}SNDB04[0-9]{12}$", iban);
        Assert.True(Iban.IsValid(iban) && iban.EndsWith(sortCode, StringComparison.Ordinal), iban);

        var accountId = first["AccountId"]!.GetValue<string>();
        var (balancesStatus, balances) = await tpp.GetAsync($"/accounts/{accountId}/balances", "/accounts/{AccountId}/balances", tokens.AccessToken, ct);
        Assert.Equal(HttpStatusCode.OK, balancesStatus);
        Assert.Equal(["CLBD", "ITAV", "XPCD"], balances!["Data"]!["Balance"]!.AsArray().Select(b => b!["Type"]!.GetValue<string>()));

        // A month of history, page after page through Links.Next, is the generator's own month.
        var today = bank.Service<BankClock>().Today;
        var from = today.AddDays(-30);
        var seen = new List<JsonNode>();
        var next = $"/accounts/{accountId}/transactions?fromBookingDateTime={from:yyyy-MM-dd}T00:00:00";
        var pages = 0;
        int? totalPages = null;
        while (next is not null)
        {
            var (status, page) = await tpp.GetAsync(next, "/accounts/{AccountId}/transactions", tokens.AccessToken, ct);
            Assert.Equal(HttpStatusCode.OK, status);
            pages++;
            totalPages ??= page!["Meta"]!["TotalPages"]!.GetValue<int>();
            seen.AddRange(page!["Data"]!["Transaction"]!.AsArray().Select(t => t!));
            next = page["Links"]!["Next"]?.GetValue<string>();
            Assert.True(pages <= 50, "Links.Next never ends");
        }

        Assert.True(pages > 1, "a month should take more than one page of 25");
        Assert.Equal(totalPages, pages);
        // The Swedish (Berlin Group) bank's view of the same stored account: its kronor are pounds here, and nothing else differs.
        var swedish = (await new PsuDirectory(bank.Service<NpgsqlDataSource>(), BankCountry.Sweden).AccountAsync(accountId, ct))!;
        var currency = PresentedCurrency(swedish);
        Assert.Equal(currency, first["Currency"]!.GetValue<string>());
        var generator = bank.Service<TransactionGenerator>();
        var expected = generator.PendingOn(swedish, today)
            .Concat(Enumerable.Range(0, 31).Select(days => today.AddDays(-days)).SelectMany(day => generator.BookedOn(swedish, day)))
            .ToList();
        Assert.Equal(expected.Select(t => t.TransactionId), seen.Select(t => t["TransactionId"]!.GetValue<string>()));
        foreach (var (generated, shown) in expected.Zip(seen))
        {
            AssertSameMoney(AccountViews.Transaction(generated), shown, currency);
        }

        // The refresh token rotates; the spent one, presented again, revokes the whole grant.
        var refreshed = await tpp.TokenAsync(new() { ["grant_type"] = "refresh_token", ["refresh_token"] = tokens.RefreshToken, ["client_id"] = tpp.ClientId }, ct);
        var newAccess = refreshed.GetProperty("access_token").GetString()!;
        Assert.NotEqual(tokens.RefreshToken, refreshed.GetProperty("refresh_token").GetString());
        Assert.Equal(HttpStatusCode.OK, (await tpp.GetAsync("/accounts", "/accounts", newAccess, ct, headers: PsuPresent)).Status);
        using var reused = await tpp.PostTokenAsync(new() { ["grant_type"] = "refresh_token", ["refresh_token"] = tokens.RefreshToken, ["client_id"] = tpp.ClientId }, ct);
        Assert.Equal(HttpStatusCode.BadRequest, reused.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await tpp.GetAsync("/accounts", "/accounts", newAccess, ct, headers: PsuPresent)).Status);

        await tpp.AssertRecordedMatchSpecAsync(ct);
    }

    [Fact]
    public async Task Discovery_names_the_FAPI_endpoints_and_methods()
    {
        using var browser = bank.Browser();
        var discovery = JsonNode.Parse(await browser.GetStringAsync("/.well-known/openid-configuration"))!;

        Assert.Equal(bank.PsuBaseUrl.ToString().TrimEnd('/'), discovery["issuer"]!.GetValue<string>());
        Assert.Equal(bank.PsuBaseUrl.ToString().TrimEnd('/') + "/oauth2/authorize", discovery["authorization_endpoint"]!.GetValue<string>());
        Assert.Equal(bank.TppBaseUrl.ToString().TrimEnd('/') + "/oauth2/token", discovery["token_endpoint"]!.GetValue<string>());
        Assert.Equal(["tls_client_auth"], discovery["token_endpoint_auth_methods_supported"]!.AsArray().Select(v => v!.GetValue<string>()));
        Assert.True(discovery["tls_client_certificate_bound_access_tokens"]!.GetValue<bool>());
        Assert.Equal(["PS256"], discovery["request_object_signing_alg_values_supported"]!.AsArray().Select(v => v!.GetValue<string>()));
        Assert.Equal(["authorization_code", "refresh_token", "client_credentials"], discovery["grant_types_supported"]!.AsArray().Select(v => v!.GetValue<string>()));
        Assert.Equal(["openid", "accounts"], discovery["scopes_supported"]!.AsArray().Select(v => v!.GetValue<string>()));
    }

    private static readonly Dictionary<string, string> PsuPresent = new() { ["x-fapi-customer-ip-address"] = "203.0.113.7" };

    /// <summary>The currency a GB bank shows an account in: pounds for the Swedish bank's kronor, any other as it is.</summary>
    internal static string PresentedCurrency(AccountSeed swedish) => swedish.Currency == "SEK" ? "GBP" : swedish.Currency;

    /// <summary>
    /// What the Swedish bank's Berlin Group dialect says of a transaction, said again by the GB bank's UK dialect: same
    /// money, dates, parties, text, in <paramref name="currency"/>.
    /// </summary>
    internal static void AssertSameMoney(BerlinGroup.TransactionDetails berlinGroup, JsonNode uk, string currency)
    {
        var signed = decimal.Parse(berlinGroup.TransactionAmount.Value, CultureInfo.InvariantCulture);
        Assert.Equal(berlinGroup.TransactionId, uk["TransactionId"]!.GetValue<string>());
        Assert.Equal(berlinGroup.EntryReference, uk["TransactionReference"]!.GetValue<string>());
        Assert.Equal(Math.Abs(signed), decimal.Parse(uk["Amount"]!["Amount"]!.GetValue<string>(), CultureInfo.InvariantCulture));
        Assert.Equal(currency == "GBP" ? "SEK" : currency, berlinGroup.TransactionAmount.Currency);
        Assert.Equal(currency, uk["Amount"]!["Currency"]!.GetValue<string>());
        Assert.Equal(signed < 0 ? "Debit" : "Credit", uk["CreditDebitIndicator"]!.GetValue<string>());
        Assert.Equal(berlinGroup.BookingDate is null ? "PDNG" : "BOOK", uk["Status"]!.GetValue<string>());
        Assert.Equal(berlinGroup.ValueDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), uk["ValueDateTime"]!.GetValue<string>()[..10]);
        if (berlinGroup.BookingDate is { } booked)
        {
            Assert.Equal(booked.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), uk["BookingDateTime"]!.GetValue<string>()[..10]);
        }

        Assert.Equal(berlinGroup.RemittanceInformationUnstructured, uk["TransactionInformation"]?.GetValue<string>() ?? "");
        var counterparty = signed < 0 ? uk["CreditorAccount"] : uk["DebtorAccount"];
        Assert.Equal(signed < 0 ? berlinGroup.CreditorName : berlinGroup.DebtorName, counterparty?["Name"]?.GetValue<string>());
        Assert.Equal(signed < 0 ? berlinGroup.CreditorAccount?.Iban : berlinGroup.DebtorAccount?.Iban, counterparty?["Identification"]?.GetValue<string>());
    }
}
