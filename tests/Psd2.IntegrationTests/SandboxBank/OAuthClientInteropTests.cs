using System.Net;
using System.Text.Json;
using Psd2.IntegrationTests.Harness;

namespace Psd2.IntegrationTests.SandboxBank;

/// <summary>
/// A third-party OAuth client (openid-client, through tests/tools/oauth-client.mjs) gets through the bank's redirect
/// flow: discovery, PKCE and state, code exchange over mutual TLS with tls_client_auth, and a refresh.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class OAuthClientInteropTests(AppFixture fixture) : IDisposable
{
    private readonly BankTpp _bank = new(fixture.App);

    [Fact]
    public async Task OpenIdClientDiscoversAuthorizesExchangesAndRefreshesAndTheRefreshedTokenReadsAccounts()
    {
        var certificates = fixture.App.Certificates;
        var psu = await _bank.CreatePsuAsync();
        var consentId = await _bank.CreateConsentAsync();
        var stateFile = Path.Combine(Path.GetTempPath(), $"oauth-client-{Guid.NewGuid():N}.json");
        try
        {
            var issuer = fixture.App.GetEndpoint("sandboxbank", "psu").ToString().TrimEnd('/');
            var authorize = await RunAsync(
                "authorize", "--issuer", issuer, "--ca", certificates.CaCertificate, "--client-id", _bank.ClientId,
                "--redirect-uri", BankTpp.RedirectUri, "--scope", $"AIS:{consentId}", "--state-file", stateFile);
            var authorizationUrl = new Uri(authorize.GetProperty("authorizationUrl").GetString()!);
            Assert.Equal(issuer + "/oauth2/authorize", authorizationUrl.GetLeftPart(UriPartial.Path));
            Assert.Equal("S256", BankTpp.Query(authorizationUrl, "code_challenge_method"));

            // The PSU's browser from the URL openid-client built to the redirect back to the TPP.
            using var signIn = await _bank.Browser.GetAsync(authorizationUrl);
            Assert.Equal(HttpStatusCode.OK, signIn.StatusCode);
            using var bankId = await _bank.SubmitFormAsync(await signIn.Content.ReadAsStringAsync(), new() { ["personalNumber"] = psu.PersonalNumber });
            Assert.Equal(HttpStatusCode.OK, bankId.StatusCode);
            using var decided = await _bank.SubmitFormAsync(await bankId.Content.ReadAsStringAsync(), new() { ["decision"] = "approve" });
            Assert.Equal(HttpStatusCode.Redirect, decided.StatusCode);
            var callback = decided.Headers.Location!;
            Assert.StartsWith(BankTpp.RedirectUri + "?", callback.ToString(), StringComparison.Ordinal);

            var tokens = await RunAsync(
                "exchange", "--state-file", stateFile, "--callback-url", callback.ToString(),
                "--cert", certificates.TppQwacCertificate, "--key", certificates.TppQwacKey, "--ca", certificates.CaCertificate);

            Assert.False(string.IsNullOrEmpty(tokens.GetProperty("accessToken").GetString()));
            Assert.False(string.IsNullOrEmpty(tokens.GetProperty("refreshToken").GetString()));
            Assert.Equal($"AIS:{consentId}", tokens.GetProperty("scope").GetString());
            var refreshed = tokens.GetProperty("refreshed");
            Assert.True(refreshed.GetProperty("expiresIn").GetInt32() > 0);
            Assert.NotEqual(tokens.GetProperty("refreshToken").GetString(), refreshed.GetProperty("refreshToken").GetString());

            using var accounts = await _bank.GetAsync("/v1/accounts", consentId, refreshed.GetProperty("accessToken").GetString());
            Assert.Equal(HttpStatusCode.OK, accounts.StatusCode);
            Assert.Equal(psu.AccountIds, (await accounts.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accounts").EnumerateArray().Select(a => a.GetProperty("resourceId").GetString()));
        }
        finally
        {
            File.Delete(stateFile);
        }
    }

    /// <summary>Runs a command of oauth-client.mjs and returns the JSON it printed; any failure shows its output.</summary>
    private static async Task<JsonElement> RunAsync(params string[] args)
    {
        var result = await NodeTool.RunAsync("oauth-client.mjs", args, Deadline.In(60));
        Assert.True(result.ExitCode == 0, $"oauth-client.mjs {args[0]} exited {result.ExitCode}.\nstdout:\n{result.Stdout}\nstderr:\n{result.Stderr}");
        return JsonDocument.Parse(result.Stdout).RootElement.Clone();
    }

    public void Dispose() => _bank.Dispose();
}
