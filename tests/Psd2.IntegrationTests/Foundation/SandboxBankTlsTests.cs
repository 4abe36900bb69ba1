using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Psd2.SandboxPki;
using Psd2.IntegrationTests.Harness;

namespace Psd2.IntegrationTests.Foundation;

/// <summary>The bank's TPP endpoint takes only certificates from the sandbox QTSP, over real mutual TLS.</summary>
[Collection(AppCollection.Name)]
public sealed class SandboxBankTlsTests(AppFixture fixture)
{
    private readonly TestApp _app = fixture.App;

    [Fact]
    public async Task TppWithTheSandboxQwacGetsPastCertificateChecks()
    {
        using var qwac = X509Certificate2.CreateFromPemFile(_app.Certificates.TppQwacCertificate, _app.Certificates.TppQwacKey);
        using var client = _app.CreateHttpClient("sandboxbank", "https", qwac);

        using var response = await client.GetAsync("/v1/accounts");

        // No AIS endpoint is mapped at this layer; what matters is that the certificate was accepted.
        Assert.NotEqual(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task CertificateFromAnotherCaIsRefusedWithCertificateInvalid()
    {
        using var rogueCa = CertificateFactory.CreateRootCa(new X500DistinguishedName("CN=Rogue QTSP"), DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        using var rogue = CertificateFactory.IssueQwac(rogueCa, SandboxCertificates.Tpp, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        using var client = _app.CreateHttpClient("sandboxbank", "https", rogue);

        using var response = await client.GetAsync("/v1/accounts");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var message = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("tppMessages")[0];
        Assert.Equal("CERTIFICATE_INVALID", message.GetProperty("code").GetString());
        Assert.Equal("ERROR", message.GetProperty("category").GetString());
    }

    [Theory]
    [InlineData("sandboxbank")]
    [InlineData("ukbank")]
    [InlineData("stetbank")]
    public async Task TheTppsOwnSealPresentedForTlsIsRefusedAsNotAWebsiteCertificate(string bank)
    {
        using var qsealC = X509Certificate2.CreateFromPemFile(_app.Certificates.TppQsealCertificate, _app.Certificates.TppQsealKey);
        using var client = _app.CreateHttpClient(bank, "https", qsealC);

        using var response = await client.GetAsync(bank switch
        {
            "ukbank" => "/open-banking/v4.0/aisp/accounts",
            "stetbank" => "/stet/psd2/v1/accounts",
            _ => "/v1/accounts",
        });

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        // Berlin Group says why in its tppMessages, STET in its ErrorModel's message; UK Open Banking documents no 401
        // body and says it in WWW-Authenticate.
        var said = await response.Content.ReadAsStringAsync() + response.Headers.WwwAuthenticate;
        Assert.True(said.Contains("not a website certificate", StringComparison.Ordinal), said);
    }

    [Fact]
    public async Task TppApiOnThePsuEndpointWithoutCertificateIsCertificateMissing()
    {
        using var client = _app.CreateHttpClient("sandboxbank", "psu");

        using var response = await client.GetAsync("/v1/accounts");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("CERTIFICATE_MISSING", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
