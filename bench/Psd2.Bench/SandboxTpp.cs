using Psd2.Core.Banking;
using Psd2.SandboxPki;
using Psd2.IntegrationTests.Harness;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Psd2.Bench;

/// <summary>
/// The sandbox TPP talking to the bank as the integration tests' BankTpp does: Berlin Group calls over mutual TLS
/// with its QWAC, each signed with its QSealC, the PSU's browser walking the BankID pages (no redirects followed), the code exchanged with PKCE.
/// </summary>
public sealed partial class SandboxTpp : IDisposable
{
    public const string RedirectUri = "https://tpp.example/callback";

    /// <summary>Any address: its presence marks a read as the PSU's own, which a recurring consent does not count.</summary>
    public const string PsuIpAddress = "192.0.2.10";

    private readonly TestApp _app;

    public SandboxTpp(TestApp app)
    {
        _app = app;
        Qwac = X509Certificate2.CreateFromPemFile(app.Certificates.TppQwacCertificate, app.Certificates.TppQwacKey);
        QsealC = X509Certificate2.CreateFromPemFile(app.Certificates.TppQsealCertificate, app.Certificates.TppQsealKey);
        Signer = new HttpMessageSigner(QsealC);
        Tpp = app.CreateHttpClient("sandboxbank", "https", Qwac, through: new SigningHandler(Signer));
        Browser = app.CreateHttpClient("sandboxbank", "psu", followRedirects: false);
        Admin = app.CreateHttpClient("sandboxbank", "psu");
        Admin.DefaultRequestHeaders.Add("X-Admin-Key", app.SandboxAdminKey);
        ClientId = Qwac.SubjectName.EnumerateRelativeDistinguishedNames()
            .First(n => n.GetSingleElementType().Value == "2.5.4.97").GetSingleElementValue()!;
    }

    public X509Certificate2 Qwac { get; }

    public X509Certificate2 QsealC { get; }

    public HttpMessageSigner Signer { get; }

    public HttpClient Tpp { get; }

    public HttpClient Browser { get; }

    public HttpClient Admin { get; }

    public string ClientId { get; }

    /// <summary>
    /// A client for the load: the same mutual TLS as <see cref="Tpp"/>, HTTP/1.1 keep-alive, at most
    /// <paramref name="connections"/> connections so that each worker keeps one.
    /// </summary>
    public HttpClient CreateLoadClient(int connections)
    {
        var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                CertificateChainPolicy = SandboxCertificates.TrustingOnly(_app.Certificates.CaCertificate),
                ClientCertificates = [Qwac],
            },
            MaxConnectionsPerServer = connections,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            AllowAutoRedirect = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
        };
        return new HttpClient(new SigningHandler(Signer) { InnerHandler = handler })
        {
            BaseAddress = _app.GetEndpoint("sandboxbank", "https"),
            Timeout = TimeSpan.FromSeconds(30),
            DefaultRequestVersion = HttpVersion.Version11,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
    }

    /// <summary>A Berlin Group read: fresh X-Request-ID, and the consent, token and PSU-IP-Address when given.</summary>
    public static HttpRequestMessage Read(string path, Connection? connection = null, bool psuPresent = true)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("X-Request-ID", Guid.NewGuid().ToString());
        if (connection is not null)
        {
            request.Headers.Add("Consent-ID", connection.ConsentId);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", connection.AccessToken);
            if (psuPresent)
            {
                request.Headers.Add("PSU-IP-Address", PsuIpAddress);
            }
        }

        return request;
    }

    /// <summary>Consent, the PSU's approval on the BankID pages, and the code exchanged for tokens.</summary>
    public async Task<Connection> ConnectAsync(string personalNumber, int frequencyPerDay, CancellationToken cancellationToken)
    {
        var consent = new
        {
            access = new { allPsd2 = "allAccounts" },
            recurringIndicator = true,
            validUntil = DateTime.UtcNow.AddDays(90).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            frequencyPerDay,
            combinedServiceIndicator = false,
        };
        using var post = new HttpRequestMessage(HttpMethod.Post, "/v1/consents") { Content = JsonContent.Create(consent) };
        post.Headers.Add("X-Request-ID", Guid.NewGuid().ToString());
        post.Headers.Add("TPP-Redirect-URI", RedirectUri);
        using var created = await Tpp.SendAsync(post, cancellationToken);
        var consentId = (await Expect(created, HttpStatusCode.Created, cancellationToken)).GetProperty("consentId").GetString()!;

        var verifier = Base64Url(RandomNumberGenerator.GetBytes(32));
        var challenge = Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));
        var query = $"response_type=code&client_id={Uri.EscapeDataString(ClientId)}&redirect_uri={Uri.EscapeDataString(RedirectUri)}&scope=AIS:{consentId}&state=bench&code_challenge={challenge}&code_challenge_method=S256";
        using var signIn = await Browser.GetAsync(new Uri("/oauth2/authorize?" + query, UriKind.Relative), cancellationToken);
        using var bankId = await SubmitFormAsync(signIn, "personalNumber", personalNumber, HttpStatusCode.OK, cancellationToken);
        using var decided = await SubmitFormAsync(bankId, "decision", "approve", HttpStatusCode.Redirect, cancellationToken);
        var code = Query(decided.Headers.Location!, "code")
            ?? throw new InvalidOperationException("The bank redirected without a code: " + decided.Headers.Location);

        return await TokensAsync(consentId, new()
        {
            ["grant_type"] = "authorization_code", ["code"] = code, ["redirect_uri"] = RedirectUri, ["code_verifier"] = verifier,
        }, cancellationToken);
    }

    /// <summary>Fresh tokens through the refresh grant (the bank rotates the refresh token).</summary>
    public Task<Connection> RefreshAsync(Connection connection, CancellationToken cancellationToken) =>
        TokensAsync(connection.ConsentId, new() { ["grant_type"] = "refresh_token", ["refresh_token"] = connection.RefreshToken }, cancellationToken);

    public async Task<JsonElement> AdminGetAsync(string path, CancellationToken cancellationToken)
    {
        using var response = await Admin.GetAsync(new Uri(path, UriKind.Relative), cancellationToken);
        return await Expect(response, HttpStatusCode.OK, cancellationToken);
    }

    public static async Task<JsonElement> Expect(HttpResponseMessage response, HttpStatusCode status, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (response.StatusCode != status)
        {
            throw new InvalidOperationException($"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri?.PathAndQuery}: expected {(int)status}, got {(int)response.StatusCode}: {body[..Math.Min(body.Length, 500)]}");
        }

        return body.Length == 0 ? default : JsonDocument.Parse(body).RootElement.Clone();
    }

    public void Dispose()
    {
        Tpp.Dispose();
        Browser.Dispose();
        Admin.Dispose();
        Qwac.Dispose();
        QsealC.Dispose();
    }

    private async Task<Connection> TokensAsync(string consentId, Dictionary<string, string> form, CancellationToken cancellationToken)
    {
        using var content = new FormUrlEncodedContent(form);
        using var response = await Tpp.PostAsync(new Uri("/oauth2/token", UriKind.Relative), content, cancellationToken);
        var tokens = await Expect(response, HttpStatusCode.OK, cancellationToken);
        return new Connection(consentId, tokens.GetProperty("access_token").GetString()!, tokens.GetProperty("refresh_token").GetString()!);
    }

    /// <summary>Fills the page's first form (hidden fields kept) and posts it, as a browser would.</summary>
    private async Task<HttpResponseMessage> SubmitFormAsync(HttpResponseMessage page, string field, string value, HttpStatusCode expected, CancellationToken cancellationToken)
    {
        var html = await page.Content.ReadAsStringAsync(cancellationToken);
        var form = FormPattern().Match(html);
        if (page.StatusCode != HttpStatusCode.OK || !form.Success)
        {
            throw new InvalidOperationException($"Expected a page with a form, got {(int)page.StatusCode}: {html[..Math.Min(html.Length, 500)]}");
        }

        var values = HiddenPattern().Matches(form.Value)
            .ToDictionary(m => WebUtility.HtmlDecode(m.Groups["name"].Value), m => WebUtility.HtmlDecode(m.Groups["value"].Value));
        values[field] = value;
        using var content = new FormUrlEncodedContent(values);
        var response = await Browser.PostAsync(new Uri(WebUtility.HtmlDecode(form.Groups["action"].Value), UriKind.RelativeOrAbsolute), content, cancellationToken);
        if (response.StatusCode != expected)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            response.Dispose();
            throw new InvalidOperationException($"Posting {field}: expected {(int)expected}, got {(int)response.StatusCode}: {body[..Math.Min(body.Length, 500)]}");
        }

        return response;
    }

    private static string? Query(Uri uri, string name) =>
        uri.Query.TrimStart('?').Split('&').Select(p => p.Split('=', 2)).Where(p => p[0] == name).Select(p => Uri.UnescapeDataString(p[1])).FirstOrDefault();

    private static string Base64Url(byte[] bytes) => System.Buffers.Text.Base64Url.EncodeToString(bytes);

    [GeneratedRegex("<form[^>]*method=\"post\"[^>]*action=\"(?<action>[^\"]+)\"[^>]*>.*?</form>", RegexOptions.Singleline)]
    private static partial Regex FormPattern();

    [GeneratedRegex("<input type=\"hidden\" name=\"(?<name>[^\"]+)\" value=\"(?<value>[^\"]*)\"")]
    private static partial Regex HiddenPattern();
}

/// <summary>An approved consent and its tokens.</summary>
public sealed record Connection(string ConsentId, string AccessToken, string RefreshToken);
