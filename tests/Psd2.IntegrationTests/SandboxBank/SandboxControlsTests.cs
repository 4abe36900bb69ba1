using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Psd2.Core.Banking;
using Psd2.IntegrationTests.Harness;

namespace Psd2.IntegrationTests.SandboxBank;

/// <summary>The bank misbehaving on demand, the signature profile, and data that moves with the bank's clock.</summary>
[Collection(AppCollection.Name)]
public sealed class SandboxControlsTests(AppFixture fixture) : IDisposable
{
    private readonly BankTpp _bank = new(fixture.App);

    [Fact]
    public async Task FaultProfilesAnswer503WithRetryAfterBreakTheBodyAndHitOnlyTheChosenPage()
    {
        var psu = await _bank.CreatePsuAsync();
        var connection = await _bank.ConnectAsync(psu);
        var accountId = psu.AccountIds[0];
        try
        {
            await SetFaultAsync("balances", new { unavailableRate = 1.0, retryAfterSeconds = 7, onlyConsentId = connection.ConsentId });
            await SetFaultAsync("accounts", new { malformedJsonRate = 1.0, onlyConsentId = connection.ConsentId });
            await SetFaultAsync("transactions", new { errorRate = 1.0, onlyPage = 2, onlyConsentId = connection.ConsentId });

            using var unavailable = await _bank.GetAsync($"/v1/accounts/{accountId}/balances", connection.ConsentId, connection.AccessToken, "192.0.2.1");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, unavailable.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(7), unavailable.Headers.RetryAfter?.Delta);

            using var malformed = await _bank.GetAsync("/v1/accounts", connection.ConsentId, connection.AccessToken, "192.0.2.1");
            Assert.Equal(HttpStatusCode.OK, malformed.StatusCode);
            await Assert.ThrowsAnyAsync<JsonException>(async () => JsonDocument.Parse(await malformed.Content.ReadAsStringAsync()));

            var from = DateTime.UtcNow.AddDays(-90).ToString("yyyy-MM-dd");
            using var first = await _bank.GetAsync($"/v1/accounts/{accountId}/transactions?bookingStatus=booked&dateFrom={from}", connection.ConsentId, connection.AccessToken, "192.0.2.1");
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
            var next = (await first.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("transactions").GetProperty("_links").GetProperty("next").GetProperty("href").GetString();
            using var second = await _bank.GetAsync(next!, connection.ConsentId, connection.AccessToken, "192.0.2.1");
            Assert.Equal(HttpStatusCode.InternalServerError, second.StatusCode);

            // Another consent is untouched by these profiles.
            var other = await _bank.ConnectAsync(psu);
            using var unaffected = await _bank.GetAsync($"/v1/accounts/{accountId}/balances", other.ConsentId, other.AccessToken, "192.0.2.1");
            Assert.Equal(HttpStatusCode.OK, unaffected.StatusCode);
        }
        finally
        {
            await _bank.ResetBankAsync();
        }
    }

    [Fact]
    public async Task FaultProfilesDelayHangDropAndCloseForMaintenance()
    {
        var psu = await _bank.CreatePsuAsync();
        var connection = await _bank.ConnectAsync(psu);
        var path = $"/v1/accounts/{psu.AccountIds[0]}";
        try
        {
            await SetFaultAsync("account", new { latencyMilliseconds = 400, onlyConsentId = connection.ConsentId });
            var clock = System.Diagnostics.Stopwatch.StartNew();
            using (var slow = await _bank.GetAsync(path, connection.ConsentId, connection.AccessToken, "192.0.2.1"))
            {
                Assert.Equal(HttpStatusCode.OK, slow.StatusCode);
                // The bank's delay runs on the runtime's millisecond timer, which may fire a tick before this stopwatch's 400 ms.
                Assert.True(clock.ElapsedMilliseconds >= 395, $"answered after {clock.ElapsedMilliseconds} ms");
            }

            await SetFaultAsync("account", new { dropRate = 1.0, onlyConsentId = connection.ConsentId });
            await Assert.ThrowsAsync<HttpRequestException>(() => _bank.GetAsync(path, connection.ConsentId, connection.AccessToken, "192.0.2.1"));

            await SetFaultAsync("account", new { timeoutRate = 1.0, onlyConsentId = connection.ConsentId });
            using (var impatient = new CancellationTokenSource(TimeSpan.FromSeconds(1)))
            {
                var request = new HttpRequestMessage(HttpMethod.Get, path);
                request.Headers.Add("X-Request-ID", Guid.NewGuid().ToString());
                request.Headers.Add("Consent-ID", connection.ConsentId);
                request.Headers.Authorization = new("Bearer", connection.AccessToken);
                await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _bank.Tpp.SendAsync(request, impatient.Token));
            }

            var now = (DateTimeOffset)(await _bank.AdminGetAsync("/sandbox/clock"))["now"]!;
            await SetFaultAsync("account", new { maintenanceFrom = now.AddMinutes(-1), maintenanceUntil = now.AddMinutes(10), onlyConsentId = connection.ConsentId });
            using var maintenance = await _bank.GetAsync(path, connection.ConsentId, connection.AccessToken, "192.0.2.1");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, maintenance.StatusCode);
            Assert.True(maintenance.Headers.RetryAfter?.Delta > TimeSpan.FromMinutes(9));
        }
        finally
        {
            await _bank.ResetBankAsync();
        }
    }

    [Fact]
    public async Task SignaturesAreRequiredByDefaultTamperedOnesAreInvalidAndTheProfileCanWaiveThem()
    {
        var psu = await _bank.CreatePsuAsync();
        var connection = await _bank.ConnectAsync(psu);
        try
        {
            using var unsigned = await _bank.UnsignedTpp.SendAsync(Request(connection));
            Assert.Equal(HttpStatusCode.Unauthorized, unsigned.StatusCode);
            Assert.Equal("SIGNATURE_MISSING", await BankTpp.TppCodeAsync(unsigned));

            using var signed = await _bank.Tpp.SendAsync(Request(connection));
            Assert.Equal(HttpStatusCode.OK, signed.StatusCode);

            using var otherRequestId = Request(connection);
            await _bank.Signer.SignAsync(otherRequestId, CancellationToken.None);
            otherRequestId.Headers.Remove("X-Request-ID");
            otherRequestId.Headers.Add("X-Request-ID", Guid.NewGuid().ToString());
            using var refusedHeader = await _bank.Tpp.SendAsync(otherRequestId);
            Assert.Equal((HttpStatusCode.Unauthorized, "SIGNATURE_INVALID"), (refusedHeader.StatusCode, await BankTpp.TppCodeAsync(refusedHeader)));

            // The body a signature's Digest covers cannot be swapped: a consent for other terms is refused before it exists.
            using var otherBody = new HttpRequestMessage(HttpMethod.Post, "/v1/consents") { Content = JsonContent.Create(BankTpp.AllAccountsConsent()) };
            otherBody.Headers.Add("X-Request-ID", Guid.NewGuid().ToString());
            otherBody.Headers.Add("TPP-Redirect-URI", BankTpp.RedirectUri);
            await _bank.Signer.SignAsync(otherBody, CancellationToken.None);
            otherBody.Content = JsonContent.Create(BankTpp.AllAccountsConsent(frequencyPerDay: 1));
            using var refusedBody = await _bank.Tpp.SendAsync(otherBody);
            Assert.Equal((HttpStatusCode.Unauthorized, "SIGNATURE_INVALID"), (refusedBody.StatusCode, await BankTpp.TppCodeAsync(refusedBody)));

            using (var profile = await _bank.Admin.PutAsJsonAsync("/sandbox/profile", new { requireSignature = false }))
            {
                profile.EnsureSuccessStatusCode();
            }

            using var waived = await _bank.UnsignedTpp.SendAsync(Request(connection));
            Assert.Equal(HttpStatusCode.OK, waived.StatusCode);
        }
        finally
        {
            await _bank.ResetBankAsync();
        }
    }

    [Fact]
    public async Task PendingTransactionBooksUnderANewIdWithTheSameEntryReferenceAsTheClockMoves()
    {
        var psu = await _bank.CreatePsuAsync(accounts: 3);
        var connection = await _bank.ConnectAsync(psu);
        try
        {
            var pending = new List<(string AccountId, string TransactionId, string EntryReference)>();
            foreach (var accountId in psu.AccountIds)
            {
                using var response = await _bank.GetAsync($"/v1/accounts/{accountId}/transactions?bookingStatus=pending", connection.ConsentId, connection.AccessToken, "192.0.2.1");
                var report = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("transactions");
                pending.AddRange(report.GetProperty("pending").EnumerateArray().Select(t =>
                    (accountId, t.GetProperty("transactionId").GetString()!, t.GetProperty("entryReference").GetString()!)));
            }

            Assert.NotEmpty(pending);
            await _bank.AdvanceClockAsync(5);
            var accessToken = await _bank.RefreshAsync(connection.RefreshToken);

            var booked = new Dictionary<string, string>();
            foreach (var accountId in psu.AccountIds)
            {
                var from = DateTime.UtcNow.AddDays(-10).ToString("yyyy-MM-dd");
                using var response = await _bank.GetAsync($"/v1/accounts/{accountId}/transactions?bookingStatus=booked&dateFrom={from}", connection.ConsentId, accessToken, "192.0.2.1");
                foreach (var t in (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("transactions").GetProperty("booked").EnumerateArray())
                {
                    booked[t.GetProperty("entryReference").GetString()!] = t.GetProperty("transactionId").GetString()!;
                }
            }

            var bookedNow = pending.Where(p => booked.ContainsKey(p.EntryReference)).ToList();
            Assert.NotEmpty(bookedNow);
            Assert.All(bookedNow, p => Assert.NotEqual(p.TransactionId, booked[p.EntryReference]));
        }
        finally
        {
            await _bank.ResetBankAsync();
        }
    }

    [Fact]
    public async Task SandboxControlsNeedTheAdminKey()
    {
        using var client = fixture.App.CreateHttpClient("sandboxbank", "psu");
        client.DefaultRequestHeaders.Add("X-Admin-Key", "wrong");

        using var response = await client.PostAsJsonAsync("/sandbox/clock/advance", new { days = 1 });

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    private async Task SetFaultAsync(string endpoint, object rule)
    {
        using var response = await _bank.Admin.PutAsJsonAsync($"/sandbox/faults/{endpoint}", rule);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }

    private static HttpRequestMessage Request(Connection connection)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/v1/accounts");
        request.Headers.Add("X-Request-ID", Guid.NewGuid().ToString());
        request.Headers.Add("Consent-ID", connection.ConsentId);
        request.Headers.Authorization = new("Bearer", connection.AccessToken);
        return request;
    }

    public void Dispose() => _bank.Dispose();
}
