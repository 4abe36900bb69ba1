using System.Net;
using System.Net.Http.Json;

namespace Psd2.SandboxBank.Tests.UkOpenBanking;

/// <summary>The sandbox's fault profiles reach the UK dialect by the same endpoint names, in the UK error form.</summary>
[Collection(UkBankCollection.Name)]
public sealed class UkFaultTests(UkBank bank)
{
    [Fact]
    public async Task Faults_switched_on_for_one_consent_answer_500_with_the_specs_body_and_503_with_Retry_After()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        using var tpp = new UkTpp(bank, bank.Tpp);
        var personalNumber = await bank.CreatePsuAsync(seed: 606, timeout.Token);
        var clientToken = await tpp.ClientCredentialsTokenAsync(timeout.Token);
        var consentId = await tpp.CreateConsentAsync(clientToken, timeout.Token);
        var tokens = await tpp.AuthoriseAsync(consentId, personalNumber, timeout.Token);
        using var admin = bank.Admin();
        try
        {
            await SetFaultAsync(admin, "accounts", new { errorRate = 1.0, onlyConsentId = consentId }, timeout.Token);
            await SetFaultAsync(admin, "consents", new { unavailableRate = 1.0, retryAfterSeconds = 7, onlyConsentId = consentId }, timeout.Token);

            var (accounts, error) = await tpp.GetAsync("/accounts", "/accounts", tokens.AccessToken, timeout.Token);
            Assert.Equal(HttpStatusCode.InternalServerError, accounts);
            Assert.Equal("U000", error!["Errors"]![0]!["ErrorCode"]!.GetValue<string>());

            using var client = bank.TppClient(bank.Tpp.Qwac);
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/open-banking/v4.0/aisp/account-access-consents/{consentId}");
            request.Headers.Authorization = new("Bearer", clientToken);
            using var consent = await client.SendAsync(request, timeout.Token);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, consent.StatusCode);
            Assert.Empty(await consent.Content.ReadAsByteArrayAsync(timeout.Token));
            Assert.Equal(TimeSpan.FromSeconds(7), consent.Headers.RetryAfter?.Delta);
        }
        finally
        {
            using var cleared = await admin.DeleteAsync("/sandbox/faults", CancellationToken.None);
        }

        Assert.Equal(HttpStatusCode.OK, (await tpp.GetAsync("/accounts", "/accounts", tokens.AccessToken, timeout.Token)).Status);
        await tpp.AssertRecordedMatchSpecAsync(timeout.Token);
    }

    private static async Task SetFaultAsync(HttpClient admin, string endpoint, object rule, CancellationToken cancellationToken)
    {
        using var response = await admin.PutAsJsonAsync($"/sandbox/faults/{endpoint}", rule, cancellationToken);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }
}
