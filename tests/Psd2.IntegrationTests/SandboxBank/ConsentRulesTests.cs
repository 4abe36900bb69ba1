using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Psd2.SandboxPki;
using Psd2.IntegrationTests.Harness;

namespace Psd2.IntegrationTests.SandboxBank;

/// <summary>What a consent may ask for, who may use it, and for how long and how often.</summary>
[Collection(AppCollection.Name)]
public sealed class ConsentRulesTests(AppFixture fixture) : IDisposable
{
    private readonly BankTpp _bank = new(fixture.App);

    [Fact]
    public async Task FarFutureValidUntilIsShortenedTo180DaysAndPastDatesAreRefused()
    {
        var consentId = await _bank.CreateConsentAsync(BankTpp.AllAccountsConsent(validUntil: "9999-12-31"));
        using var consent = await _bank.GetAsync($"/v1/consents/{consentId}");
        var validUntil = DateOnly.Parse((await consent.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("validUntil").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        var clock = await _bank.AdminGetAsync("/sandbox/clock");
        Assert.Equal(DateOnly.Parse((string)clock["today"]!, System.Globalization.CultureInfo.InvariantCulture).AddDays(180), validUntil);

        using var past = await _bank.PostConsentAsync(BankTpp.AllAccountsConsent(validUntil: "2020-01-01"));
        Assert.Equal(HttpStatusCode.BadRequest, past.StatusCode);
        Assert.Equal("PERIOD_INVALID", await BankTpp.TppCodeAsync(past));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    public async Task FrequencyPerDayOutsideOneToFourIsFormatError(int frequency)
    {
        using var response = await _bank.PostConsentAsync(BankTpp.AllAccountsConsent(frequencyPerDay: frequency));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("FORMAT_ERROR", await BankTpp.TppCodeAsync(response));
    }

    [Fact]
    public async Task MalformedJsonIsFormatErrorInTppMessages()
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/consents") { Content = new StringContent("{\"access\": [", Encoding.UTF8, "application/json") };
        request.Headers.Add("X-Request-ID", Guid.NewGuid().ToString());
        request.Headers.Add("TPP-Redirect-URI", BankTpp.RedirectUri);

        using var response = await _bank.Tpp.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("FORMAT_ERROR", await BankTpp.TppCodeAsync(response));
    }

    [Fact]
    public async Task UnattendedReadsStopAtFrequencyPerDayWhilePsuPresentReadsAreFreeAndTheNextBankDayStartsAfresh()
    {
        var psu = await _bank.CreatePsuAsync();
        var connection = await _bank.ConnectAsync(psu, BankTpp.AllAccountsConsent(frequencyPerDay: 2));
        var path = $"/v1/accounts/{psu.AccountIds[0]}/balances";
        try
        {
            for (var i = 0; i < 2; i++)
            {
                using var allowed = await _bank.GetAsync(path, connection.ConsentId, connection.AccessToken);
                Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
            }

            using var exceeded = await _bank.GetAsync(path, connection.ConsentId, connection.AccessToken);
            Assert.Equal((HttpStatusCode)429, exceeded.StatusCode);
            Assert.Equal("ACCESS_EXCEEDED", await BankTpp.TppCodeAsync(exceeded));
            Assert.True(exceeded.Headers.RetryAfter?.Delta > TimeSpan.Zero);

            using var present = await _bank.GetAsync(path, connection.ConsentId, connection.AccessToken, psuIpAddress: "192.0.2.10");
            Assert.Equal(HttpStatusCode.OK, present.StatusCode);
            using var otherAccount = await _bank.GetAsync($"/v1/accounts/{psu.AccountIds[1]}/balances", connection.ConsentId, connection.AccessToken);
            Assert.Equal(HttpStatusCode.OK, otherAccount.StatusCode);

            await _bank.AdvanceClockAsync(1);
            var refreshed = await _bank.RefreshAsync(connection.RefreshToken);
            using var nextDay = await _bank.GetAsync(path, connection.ConsentId, refreshed);
            Assert.Equal(HttpStatusCode.OK, nextDay.StatusCode);
        }
        finally
        {
            await _bank.ResetBankAsync();
        }
    }

    [Fact]
    public async Task ConsentPastValidUntilIsConsentExpired()
    {
        var psu = await _bank.CreatePsuAsync();
        var connection = await _bank.ConnectAsync(psu, BankTpp.AllAccountsConsent(validUntil: DateTime.UtcNow.AddDays(2).ToString("yyyy-MM-dd")));
        try
        {
            await _bank.AdvanceClockAsync(4);

            using var response = await _bank.GetAsync("/v1/accounts", connection.ConsentId, connection.AccessToken);

            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("CONSENT_EXPIRED", await BankTpp.TppCodeAsync(response));
            using var status = await _bank.GetAsync($"/v1/consents/{connection.ConsentId}/status");
            Assert.Equal("expired", (await status.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("consentStatus").GetString());
        }
        finally
        {
            await _bank.ResetBankAsync();
        }
    }

    [Fact]
    public async Task ConsentTerminatedByTppOrRevokedByPsuIsConsentInvalid()
    {
        var psu = await _bank.CreatePsuAsync();
        var terminated = await _bank.ConnectAsync(psu);
        var revoked = await _bank.ConnectAsync(psu);

        var delete = new HttpRequestMessage(HttpMethod.Delete, $"/v1/consents/{terminated.ConsentId}");
        delete.Headers.Add("X-Request-ID", Guid.NewGuid().ToString());
        using var deleted = await _bank.Tpp.SendAsync(delete);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        using var revokedResponse = await _bank.Admin.PostAsync($"/sandbox/consents/{revoked.ConsentId}/revoke", null);
        revokedResponse.EnsureSuccessStatusCode();

        foreach (var connection in new[] { terminated, revoked })
        {
            using var read = await _bank.GetAsync("/v1/accounts", connection.ConsentId, connection.AccessToken);
            Assert.Equal(HttpStatusCode.Unauthorized, read.StatusCode);
            Assert.Equal("CONSENT_INVALID", await BankTpp.TppCodeAsync(read));
        }

        using var status = await _bank.GetAsync($"/v1/consents/{revoked.ConsentId}/status");
        Assert.Equal("revokedByPsu", (await status.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("consentStatus").GetString());
    }

    [Fact]
    public async Task UnknownConsentAndAnotherTppsConsentAreConsentUnknown()
    {
        var psu = await _bank.CreatePsuAsync();
        var connection = await _bank.ConnectAsync(psu);
        using var ca = X509Certificate2.CreateFromPemFile(fixture.App.Certificates.CaCertificate, fixture.App.Certificates.CaKey);
        var otherTpp = SandboxCertificates.Tpp with { OrganizationIdentifier = "PSDSE-FINA-99999", OrganizationName = "Other TPP", CommonName = "other-tpp.example" };
        using var otherQwac = CertificateFactory.IssueQwac(ca, otherTpp, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        using var otherSeal = CertificateFactory.IssueQsealC(ca, otherTpp, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        using var other = new BankTpp(fixture.App, otherQwac, otherSeal);

        using var unknown = await _bank.GetAsync("/v1/accounts", "no-such-consent", connection.AccessToken);
        using var foreign = await other.GetAsync("/v1/accounts", connection.ConsentId, connection.AccessToken);
        using var foreignStatus = await other.GetAsync($"/v1/consents/{connection.ConsentId}/status");

        Assert.Equal(HttpStatusCode.Forbidden, unknown.StatusCode);
        Assert.Equal("CONSENT_UNKNOWN", await BankTpp.TppCodeAsync(unknown));
        Assert.Equal("CONSENT_UNKNOWN", await BankTpp.TppCodeAsync(foreign));
        Assert.Equal("CONSENT_UNKNOWN", await BankTpp.TppCodeAsync(foreignStatus));
    }

    [Fact]
    public async Task AnAccessTokenIsGoodOnlyOverTheCertificateItWasIssuedOver()
    {
        var psu = await _bank.CreatePsuAsync();
        var connection = await _bank.ConnectAsync(psu);
        using var ca = X509Certificate2.CreateFromPemFile(fixture.App.Certificates.CaCertificate, fixture.App.Certificates.CaKey);
        // The same TPP with a second, equally valid QWAC: what a stolen token would be presented with.
        using var secondQwac = CertificateFactory.IssueQwac(ca, SandboxCertificates.Tpp, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        using var sameTppOtherCertificate = new BankTpp(fixture.App, secondQwac);

        using var own = await _bank.GetAsync("/v1/accounts", connection.ConsentId, connection.AccessToken, "192.0.2.1");
        using var replayed = await sameTppOtherCertificate.GetAsync("/v1/accounts", connection.ConsentId, connection.AccessToken, "192.0.2.1");
        var metadata = await _bank.Browser.GetFromJsonAsync<JsonElement>("/.well-known/oauth-authorization-server");

        Assert.True(metadata.GetProperty("tls_client_certificate_bound_access_tokens").GetBoolean());
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, replayed.StatusCode);
        Assert.Equal("TOKEN_INVALID", await BankTpp.TppCodeAsync(replayed));
    }

    [Fact]
    public async Task ExpiredQwacAndPaymentOnlyQwacAreRefused()
    {
        using var ca = X509Certificate2.CreateFromPemFile(fixture.App.Certificates.CaCertificate, fixture.App.Certificates.CaKey);
        using var expired = CertificateFactory.IssueQwac(ca, SandboxCertificates.Tpp, DateTimeOffset.UtcNow.AddDays(-30), DateTimeOffset.UtcNow.AddDays(-1));
        using var paymentsOnly = CertificateFactory.IssueQwac(ca, SandboxCertificates.Tpp with { Roles = [PspRole.PspPi] },
            DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));

        using var expiredTpp = new BankTpp(fixture.App, expired);
        using var paymentsTpp = new BankTpp(fixture.App, paymentsOnly);
        using var expiredResponse = await expiredTpp.GetAsync("/v1/accounts");
        using var roleResponse = await paymentsTpp.GetAsync("/v1/accounts");

        Assert.Equal("CERTIFICATE_EXPIRED", await BankTpp.TppCodeAsync(expiredResponse));
        Assert.Equal(HttpStatusCode.Unauthorized, roleResponse.StatusCode);
        Assert.Equal("ROLE_INVALID", await BankTpp.TppCodeAsync(roleResponse));
    }

    public void Dispose() => _bank.Dispose();
}
