using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Psd2.Core.Banking;

namespace Psd2.IntegrationTests.Harness;

/// <summary>
/// A TPP talking to the sandbox bank as a real one would: Berlin Group calls over mutual TLS with its QWAC, signed with
/// its QSealC, the PSU's browser walking the BankID pages (forms followed by hand, no redirects followed), and the
/// sandbox controls.
/// </summary>
public sealed partial class BankTpp : IDisposable
{
    public const string RedirectUri = "https://tpp.example/callback";

    private readonly X509Certificate2 _qwac;
    private readonly X509Certificate2? _ownSeal;

    /// <param name="qsealC">The seal its calls are signed with: the sandbox TPP's unless given (then it is the caller's to dispose).</param>
    /// <param name="bank">The sandbox bank's resource: the Berlin Group one unless named.</param>
    public BankTpp(TestApp app, X509Certificate2? qwac = null, X509Certificate2? qsealC = null, string bank = "sandboxbank")
    {
        _qwac = qwac ?? X509Certificate2.CreateFromPemFile(app.Certificates.TppQwacCertificate, app.Certificates.TppQwacKey);
        _ownSeal = qsealC is null ? X509Certificate2.CreateFromPemFile(app.Certificates.TppQsealCertificate, app.Certificates.TppQsealKey) : null;
        Signer = new HttpMessageSigner(qsealC ?? _ownSeal!);
        Tpp = app.CreateHttpClient(bank, "https", _qwac, through: new SigningHandler(Signer));
        UnsignedTpp = app.CreateHttpClient(bank, "https", _qwac);
        Browser = app.CreateHttpClient(bank, "psu", followRedirects: false);
        Admin = app.CreateHttpClient(bank, "psu");
        Admin.DefaultRequestHeaders.Add("X-Admin-Key", app.SandboxAdminKey);
    }

    /// <summary>Berlin Group calls, each signed unless the test signed it.</summary>
    public HttpClient Tpp { get; }

    /// <summary>The same mutual TLS, but nothing signed for the test.</summary>
    public HttpClient UnsignedTpp { get; }

    public HttpMessageSigner Signer { get; }

    public HttpClient Browser { get; }

    public HttpClient Admin { get; }

    public string ClientId => _organizationId ??= _qwac.SubjectName.EnumerateRelativeDistinguishedNames()
        .First(n => n.GetSingleElementType().Value == "2.5.4.97").GetSingleElementValue()!;

    private string? _organizationId;

    /// <summary>A PSU of the test's own, so no test shares a customer with another.</summary>
    /// <param name="seed">Makes the PSU reproducible: the same seed is the same customer and money at every sandbox bank.</param>
    public async Task<TestPsu> CreatePsuAsync(string decoupled = "ApproveAfterDelay", int accounts = 2, ulong? seed = null)
    {
        using var response = await Admin.PostAsJsonAsync("/sandbox/psus", new { accounts, decoupled, seed });
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return new TestPsu(
            body.GetProperty("personalNumber").GetString()!,
            body.GetProperty("accounts").EnumerateArray().Select(a => a.GetProperty("resourceId").GetString()!).ToList(),
            body.GetProperty("accounts").EnumerateArray().Select(a => a.GetProperty("iban").GetString()!).ToList());
    }

    public static object AllAccountsConsent(int frequencyPerDay = 4, string? validUntil = null, bool recurring = true) => new
    {
        access = new { allPsd2 = "allAccounts" },
        recurringIndicator = recurring,
        validUntil = validUntil ?? DateTime.UtcNow.AddDays(90).ToString("yyyy-MM-dd"),
        frequencyPerDay,
        combinedServiceIndicator = false,
    };

    /// <summary>POST /v1/consents with a fresh X-Request-ID; the response is the caller's to assert on.</summary>
    public Task<HttpResponseMessage> PostConsentAsync(object body, IDictionary<string, string>? headers = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/consents") { Content = JsonContent.Create(body) };
        request.Headers.Add("X-Request-ID", Guid.NewGuid().ToString());
        request.Headers.Add("TPP-Redirect-URI", RedirectUri);
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            request.Headers.Remove(name);
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return Tpp.SendAsync(request);
    }

    public async Task<string> CreateConsentAsync(object? body = null, IDictionary<string, string>? headers = null)
    {
        using var response = await PostConsentAsync(body ?? AllAccountsConsent(), headers);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("consentId").GetString()!;
    }

    /// <summary>A Berlin Group call with X-Request-ID, and Consent-ID and the bearer token when given.</summary>
    public Task<HttpResponseMessage> GetAsync(string path, string? consentId = null, string? accessToken = null, string? psuIpAddress = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("X-Request-ID", Guid.NewGuid().ToString());
        if (consentId is not null)
        {
            request.Headers.Add("Consent-ID", consentId);
        }

        if (accessToken is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        }

        if (psuIpAddress is not null)
        {
            request.Headers.Add("PSU-IP-Address", psuIpAddress);
        }

        return Tpp.SendAsync(request);
    }

    /// <summary>
    /// The PSU's browser from /oauth2/authorize to the redirect back: personal number, then the BankID app step.
    /// Returns the Location the bank sent the browser to.
    /// </summary>
    public async Task<Uri> AuthorizeInBrowserAsync(string consentId, string personalNumber, string codeChallenge, string state = "s-123", string decision = "approve")
    {
        var query = $"response_type=code&client_id={ClientId}&redirect_uri={Uri.EscapeDataString(RedirectUri)}&scope=AIS:{consentId}&state={state}&code_challenge={codeChallenge}&code_challenge_method=S256";
        using var signIn = await Browser.GetAsync("/oauth2/authorize?" + query);
        Assert.Equal(HttpStatusCode.OK, signIn.StatusCode);
        var bankId = await SubmitFormAsync(await signIn.Content.ReadAsStringAsync(), new() { ["personalNumber"] = personalNumber });
        Assert.Equal(HttpStatusCode.OK, bankId.StatusCode);
        using var decided = await SubmitFormAsync(await bankId.Content.ReadAsStringAsync(), new() { ["decision"] = decision });
        bankId.Dispose();
        Assert.Equal(HttpStatusCode.Redirect, decided.StatusCode);
        return decided.Headers.Location!;
    }

    /// <summary>Fills the page's first form (hidden fields kept) and posts it, as a browser would.</summary>
    public async Task<HttpResponseMessage> SubmitFormAsync(string html, Dictionary<string, string> fields)
    {
        var form = FormPattern().Match(html);
        Assert.True(form.Success, "The page has no form: " + html[..Math.Min(html.Length, 500)]);
        var values = HiddenPattern().Matches(form.Value).ToDictionary(m => WebUtility.HtmlDecode(m.Groups["name"].Value), m => WebUtility.HtmlDecode(m.Groups["value"].Value));
        foreach (var (name, value) in fields)
        {
            values[name] = value;
        }

        return await Browser.PostAsync(WebUtility.HtmlDecode(form.Groups["action"].Value), new FormUrlEncodedContent(values));
    }

    public Task<HttpResponseMessage> TokenAsync(Dictionary<string, string> form) => Tpp.PostAsync("/oauth2/token", new FormUrlEncodedContent(form));

    public async Task<Connection> ConnectAsync(TestPsu psu, object? consent = null)
    {
        var consentId = await CreateConsentAsync(consent);
        var (verifier, challenge) = Pkce();
        var callback = await AuthorizeInBrowserAsync(consentId, psu.PersonalNumber, challenge);
        var code = Query(callback, "code");
        using var response = await TokenAsync(new()
        {
            ["grant_type"] = "authorization_code", ["code"] = code!, ["redirect_uri"] = RedirectUri, ["code_verifier"] = verifier,
        });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var tokens = await response.Content.ReadFromJsonAsync<JsonElement>();
        return new Connection(consentId, tokens.GetProperty("access_token").GetString()!, tokens.GetProperty("refresh_token").GetString()!);
    }

    /// <summary>A new access token through the refresh grant.</summary>
    public async Task<string> RefreshAsync(string refreshToken)
    {
        using var response = await TokenAsync(new() { ["grant_type"] = "refresh_token", ["refresh_token"] = refreshToken });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("access_token").GetString()!;
    }

    /// <summary>
    /// The PSU's newest consent at this bank: the one a connection just made, found without the platform's reference
    /// for it, which a STET bank does not know (it gives the TPP no consent id).
    /// </summary>
    public async Task<string> NewestConsentAsync(TestPsu psu) =>
        (string)(await AdminGetAsync($"/sandbox/psus/{psu.PersonalNumber}/consents")).AsArray()[0]!["consentId"]!;

    public async Task<JsonNode> AdminGetAsync(string path) =>
        JsonNode.Parse(await Admin.GetStringAsync(path))!;

    public async Task AdvanceClockAsync(double days)
    {
        using var response = await Admin.PostAsJsonAsync("/sandbox/clock/advance", new { days });
        response.EnsureSuccessStatusCode();
    }

    /// <summary>Clears faults, profile changes, access counts and the test clock; call it from a test that changed them.</summary>
    public async Task ResetBankAsync()
    {
        using var response = await Admin.PostAsync("/sandbox/reset", null);
        response.EnsureSuccessStatusCode();
    }

    public static (string Verifier, string Challenge) Pkce()
    {
        var verifier = Base64Url(RandomNumberGenerator.GetBytes(32));
        return (verifier, Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))));
    }

    public static string? Query(Uri uri, string name) =>
        uri.Query.TrimStart('?').Split('&').Select(p => p.Split('=', 2)).Where(p => p[0] == name).Select(p => Uri.UnescapeDataString(p[1])).FirstOrDefault();

    public static async Task<string?> TppCodeAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        return JsonDocument.Parse(body).RootElement.TryGetProperty("tppMessages", out var messages) ? messages[0].GetProperty("code").GetString() : null;
    }

    public static string Base64Url(byte[] bytes) => System.Buffers.Text.Base64Url.EncodeToString(bytes);

    public void Dispose()
    {
        Tpp.Dispose();
        UnsignedTpp.Dispose();
        _ownSeal?.Dispose();
        Browser.Dispose();
        Admin.Dispose();
    }

    [GeneratedRegex("<form[^>]*method=\"post\"[^>]*action=\"(?<action>[^\"]+)\"[^>]*>.*?</form>", RegexOptions.Singleline)]
    private static partial Regex FormPattern();

    [GeneratedRegex("<input type=\"hidden\" name=\"(?<name>[^\"]+)\" value=\"(?<value>[^\"]*)\"")]
    private static partial Regex HiddenPattern();
}

public sealed record TestPsu(string PersonalNumber, IReadOnlyList<string> AccountIds, IReadOnlyList<string> Ibans);

public sealed record Connection(string ConsentId, string AccessToken, string RefreshToken);
