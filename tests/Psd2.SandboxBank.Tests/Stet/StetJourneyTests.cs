using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Npgsql;
using Psd2.SandboxBank.Accounts;
using Psd2.SandboxBank.Data;
using Psd2.SandboxBank.Psus;
using Psd2.SandboxBank.Stet;
using Psd2.SandboxBank.Time;

namespace Psd2.SandboxBank.Tests.Stet;

[Collection(StetBankCollection.Name)]
public sealed class StetJourneyTests(StetBank bank)
{
    [Fact]
    public async Task A_TPP_lists_the_accounts_puts_its_consent_and_reads_balances_and_every_transaction_page()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var ct = timeout.Token;
        using var tpp = new StetTpp(bank, bank.Tpp);
        var personalNumber = await bank.CreatePsuAsync(seed: 1101, ct);

        // Discovery, then the PSU's approval at the bank and the code exchanged with PKCE over mutual TLS.
        using (var browser = bank.Browser())
        {
            var metadata = JsonNode.Parse(await browser.GetStringAsync("/.well-known/oauth-authorization-server", ct))!;
            Assert.Equal(bank.PsuBaseUrl.ToString().TrimEnd('/') + "/oauth2/authorize", metadata["authorization_endpoint"]!.GetValue<string>());
        }

        var tokens = await tpp.AuthoriseAsync(personalNumber, ct);

        // Before PUT /consents the token lists the accounts, without links to their balances or transactions.
        var (listed, before) = await tpp.GetAsync("/accounts", "HalAccounts", tokens.AccessToken, ct);
        Assert.Equal(HttpStatusCode.OK, listed);
        Assert.Equal(2, before!["accounts"]!.AsArray().Count);
        Assert.All(before["accounts"]!.AsArray(), a => Assert.Empty(a!["_links"]!.AsObject()));
        Assert.Equal(bank.TppBaseUrl.ToString().TrimEnd('/') + "/stet/psd2/v1/accounts", before["_links"]!["self"]!["href"]!.GetValue<string>());

        await tpp.ConsentToAllAsync(tokens.AccessToken, ct);
        var (_, after) = await tpp.GetAsync("/accounts", "HalAccounts", tokens.AccessToken, ct);
        var first = after!["accounts"]![0]!;
        Assert.Equal("CACC", first["cashAccountType"]!.GetValue<string>());
        Assert.Equal("PRIV", first["usage"]!.GetValue<string>());
        Assert.Equal("SNDBFRPP", first["bicFi"]!.GetValue<string>());
        var accountId = first["resourceId"]!.GetValue<string>();
        var iban = first["accountId"]!["iban"]!.GetValue<string>();
        Assert.Matches("^FR[0-9]{2}9696900001[0-9]{13}$", iban);
        Assert.True(Iban.IsValid(iban), iban);
        Assert.EndsWith($"/stet/psd2/v1/accounts/{accountId}/balances", first["_links"]!["balances"]!["href"]!.GetValue<string>(), StringComparison.Ordinal);

        var (balancesStatus, balances) = await tpp.GetAsync(first["_links"]!["balances"]!["href"]!.GetValue<string>(), "HalBalances", tokens.AccessToken, ct);
        Assert.Equal(HttpStatusCode.OK, balancesStatus);
        Assert.Equal(["CLBD", "XPCD"], balances!["balances"]!.AsArray().Select(b => b!["balanceType"]!.GetValue<string>()));

        // Ninety days of history, page after page through _links.next, is the Swedish (Berlin Group) bank's own for the
        // same stored account, to the cent, its kronor shown as euros.
        var swedish = (await new PsuDirectory(bank.Service<NpgsqlDataSource>(), BankCountry.Sweden).AccountAsync(Guid.ParseExact(accountId, "N").ToString(), ct))!;
        Assert.NotEqual(swedish.Iban, iban);
        Assert.Equal("EUR", first["currency"]!.GetValue<string>());
        Assert.Equal("EUR", first["accountId"]!["currency"]!.GetValue<string>());
        var today = bank.Service<BankClock>().Today;
        var from = today.AddDays(-90);
        var seen = new List<JsonNode>();
        string? next = $"/accounts/{accountId}/transactions?dateFrom={from:yyyy-MM-dd}";
        var pages = 0;
        while (next is not null)
        {
            var (status, page) = await tpp.GetAsync(next, "HalTransactions", tokens.AccessToken, ct);
            Assert.Equal(HttpStatusCode.OK, status);
            pages++;
            seen.AddRange(page!["transactions"]!.AsArray().Select(t => t!));
            next = page["_links"]!["next"]?["href"]?.GetValue<string>();
            Assert.True(pages <= 100, "_links.next never ends");
        }

        Assert.True(pages > 1, "ninety days should take more than one page of 25");
        var generator = bank.Service<TransactionGenerator>();
        var expected = generator.PendingOn(swedish, today)
            .Concat(Enumerable.Range(0, 91).Select(days => today.AddDays(-days)).SelectMany(day => generator.BookedOn(swedish, day)))
            .ToList();
        Assert.Equal(expected.Select(t => t.TransactionId), seen.Select(t => t["resourceId"]!.GetValue<string>()));
        Assert.Equal(expected.Sum(t => t.Amount), seen.Sum(Signed));
        foreach (var (generated, shown) in expected.Zip(seen))
        {
            AssertSameMoney(AccountViews.Transaction(generated), shown);
        }

        // The refresh token rotates and keeps the grant.
        var refreshed = await tpp.TokenAsync(new() { ["grant_type"] = "refresh_token", ["refresh_token"] = tokens.RefreshToken, ["client_id"] = tpp.ClientId }, ct);
        Assert.Equal(StetTpp.BothScopes, refreshed.GetProperty("scope").GetString());
        var psuPresent = new Dictionary<string, string> { ["PSU-IP-Address"] = "203.0.113.7" };
        Assert.Equal(HttpStatusCode.OK, (await tpp.GetAsync("/accounts", "HalAccounts", refreshed.GetProperty("access_token").GetString()!, ct, headers: psuPresent)).Status);

        await tpp.AssertRecordedMatchSpecAsync(ct);
    }

    [Fact]
    public async Task Metadata_names_the_revocation_endpoint_and_STETs_scopes_and_no_CIBA_grant()
    {
        using var browser = bank.Browser();
        var metadata = JsonNode.Parse(await browser.GetStringAsync("/.well-known/oauth-authorization-server"))!;
        string[] Values(string name) => [.. metadata[name]!.AsArray().Select(v => v!.GetValue<string>())];

        Assert.Equal(bank.PsuBaseUrl.ToString().TrimEnd('/'), metadata["issuer"]!.GetValue<string>());
        Assert.Equal(bank.TppBaseUrl.ToString().TrimEnd('/') + "/oauth2/token", metadata["token_endpoint"]!.GetValue<string>());
        Assert.Equal(bank.TppBaseUrl.ToString().TrimEnd('/') + "/oauth2/revoke", metadata["revocation_endpoint"]!.GetValue<string>());
        Assert.Equal(["authorization_code", "refresh_token"], Values("grant_types_supported"));
        Assert.Equal(["aisp", "extended_transaction_history"], Values("scopes_supported"));
        Assert.Equal(["S256"], Values("code_challenge_methods_supported"));
        Assert.Equal(["tls_client_auth"], Values("token_endpoint_auth_methods_supported"));
        Assert.True(metadata["tls_client_certificate_bound_access_tokens"]!.GetValue<bool>());
        Assert.Null(metadata["backchannel_token_delivery_modes_supported"]);
    }

    [Fact]
    public void Every_transaction_of_a_seeded_population_reads_the_same_as_in_the_Berlin_Group_dialect()
    {
        var today = bank.Service<BankClock>().Today;
        var generator = bank.Service<TransactionGenerator>();
        var views = bank.Service<StetViews>();
        var country = bank.Service<BankCountry>();
        Assert.Equal(BankCountry.France, country);
        var compared = 0;
        foreach (var swedish in SyntheticBank.Generate(20_190_914, today).SelectMany(p => p.Accounts).Take(6))
        {
            var french = country.Present(swedish);
            Assert.StartsWith("FR", french.Iban, StringComparison.Ordinal);
            Assert.Equal("EUR", french.Currency);
            var berlinGroup = Entries(generator, swedish, today);
            var stet = Entries(generator, french, today);
            Assert.Equal(berlinGroup.Count, stet.Count);
            foreach (var (entry, stetEntry) in berlinGroup.Zip(stet))
            {
                var shown = System.Text.Json.JsonSerializer.SerializeToNode(views.Transaction(stetEntry), StetJson.Default.Transaction)!;
                AssertSameMoney(AccountViews.Transaction(entry), shown);
                compared++;
            }
        }

        Assert.True(compared > 100, $"only {compared} transactions compared");
    }

    private static List<BankTransaction> Entries(TransactionGenerator generator, AccountSeed account, DateOnly today) =>
        [.. generator.PendingOn(account, today).Concat(Enumerable.Range(0, 14).SelectMany(days => generator.BookedOn(account, today.AddDays(-days))))];

    private static decimal Signed(JsonNode stet) =>
        decimal.Parse(stet["transactionAmount"]!["amount"]!.GetValue<string>(), CultureInfo.InvariantCulture)
        * (stet["creditDebitIndicator"]!.GetValue<string>() == "DBIT" ? -1 : 1);

    /// <summary>
    /// What the Swedish bank's Berlin Group dialect says of a transaction, said again by the French bank in STET: same
    /// money, dates, parties, text, in euros whether the Swedish account is in kronor or euros.
    /// </summary>
    private static void AssertSameMoney(BerlinGroup.TransactionDetails berlinGroup, JsonNode stet)
    {
        var signed = decimal.Parse(berlinGroup.TransactionAmount.Value, CultureInfo.InvariantCulture);
        Assert.Equal(berlinGroup.TransactionId, stet["resourceId"]!.GetValue<string>());
        Assert.Equal(berlinGroup.EntryReference, stet["entryReference"]!.GetValue<string>());
        Assert.Equal(signed, Signed(stet));
        Assert.Contains(berlinGroup.TransactionAmount.Currency, new[] { "SEK", "EUR" });
        Assert.Equal("EUR", stet["transactionAmount"]!["currency"]!.GetValue<string>());
        Assert.Equal(berlinGroup.BookingDate is null ? "PDNG" : "BOOK", stet["status"]!.GetValue<string>());
        Assert.Equal(berlinGroup.ValueDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), stet["valueDate"]!.GetValue<string>());
        if (berlinGroup.BookingDate is { } booked)
        {
            Assert.Equal(booked.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), stet["bookingDate"]!.GetValue<string>());
        }

        Assert.Equal(berlinGroup.RemittanceInformationUnstructured, string.Concat(stet["remittanceInformation"]!.AsArray().Select(r => r!.GetValue<string>())));
        var (party, account) = signed < 0 ? ("creditor", "creditorAccount") : ("debtor", "debtorAccount");
        Assert.Equal(signed < 0 ? berlinGroup.CreditorName : berlinGroup.DebtorName, stet["relatedParties"]?[party]?["name"]?.GetValue<string>());
        Assert.Equal(signed < 0 ? berlinGroup.CreditorAccount?.Iban : berlinGroup.DebtorAccount?.Iban, stet["relatedParties"]?[account]?["iban"]?.GetValue<string>());
    }
}
