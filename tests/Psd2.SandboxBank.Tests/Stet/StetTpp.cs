using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Psd2.IntegrationTests.Harness;
using Psd2.SandboxBank.Tests.UkOpenBanking;
using Psd2.SandboxPki;

namespace Psd2.SandboxBank.Tests.Stet;

/// <summary>
/// A TPP speaking STET to the in-process bank, as ADR 0015 describes it, and the PSU's browser when the PSU is asked.
/// Every request under /stet/psd2/v1 carries an X-Request-ID and is signed with the TPP's QSealC (keyId: the URL the
/// certificate is published at). Every answer with a body is recorded, so a test can hold all of them to the spec.
/// </summary>
public sealed partial class StetTpp(StetBank bank, TppCertificates certificates) : IDisposable
{
    public const string Base = "/stet/psd2/v1";
    public const string BothScopes = "aisp extended_transaction_history";

    private readonly HttpClient _client = bank.TppClient(certificates.Qwac);
    private readonly RecordedResponses _recorded = new(SpecPath, "STET");

    public string ClientId { get; } = CertificateFactory.ReadOrganizationIdentifier(certificates.Qwac)!;

    /// <summary>The PSU's browser sent to /oauth2/authorize with plain query parameters; answers the bank's first response.</summary>
    public static Task<HttpResponseMessage> AuthorizeAsync(HttpClient browser, IReadOnlyDictionary<string, string> parameters) =>
        BankPages.AuthorizeAsync(browser, parameters);

    /// <summary>An authorisation request's parameters, with a fresh state and PKCE pair.</summary>
    public Authorization NewAuthorization(string scope = BothScopes, string redirectUri = StetBank.RedirectUri)
    {
        var (verifier, challenge) = BankPages.NewPkce();
        var state = Guid.NewGuid().ToString("N");
        return new Authorization(verifier, state, new Dictionary<string, string>
        {
            ["response_type"] = "code",
            ["client_id"] = ClientId,
            ["redirect_uri"] = redirectUri,
            ["scope"] = scope,
            ["state"] = state,
            ["code_challenge"] = challenge,
            ["code_challenge_method"] = "S256",
        });
    }

    /// <summary>Authorisation up to the code: the bank's sign-in page, the PSU signs in and approves, the code comes back with the state.</summary>
    public async Task<string> CodeAsync(Authorization authorization, string personalNumber, CancellationToken cancellationToken)
    {
        using var browser = bank.Browser();
        using var signIn = await AuthorizeAsync(browser, authorization.Parameters);
        Assert.Equal(HttpStatusCode.OK, signIn.StatusCode);
        var callback = await BankPages.SignInAndDecideAsync(browser, await signIn.Content.ReadAsStringAsync(cancellationToken), personalNumber, "approve", cancellationToken);
        Assert.StartsWith(StetBank.RedirectUri + "?", callback.ToString(), StringComparison.Ordinal);
        var query = System.Web.HttpUtility.ParseQueryString(callback.Query);
        Assert.Equal(authorization.State, query["state"]);
        return query["code"] ?? throw new InvalidOperationException($"No code in {callback}");
    }

    /// <summary>The whole authorisation: the PSU approves at the bank and the code is exchanged with PKCE.</summary>
    public async Task<Tokens> AuthoriseAsync(string personalNumber, CancellationToken cancellationToken, string scope = BothScopes)
    {
        var authorization = NewAuthorization(scope);
        var code = await CodeAsync(authorization, personalNumber, cancellationToken);
        var token = await TokenAsync(authorization.CodeForm(code, ClientId), cancellationToken);
        Assert.Equal("Bearer", token.GetProperty("token_type").GetString());
        Assert.Equal(scope, token.GetProperty("scope").GetString());
        return new Tokens(token.GetProperty("access_token").GetString()!, token.GetProperty("refresh_token").GetString()!);
    }

    public async Task<JsonElement> TokenAsync(Dictionary<string, string> form, CancellationToken cancellationToken)
    {
        using var response = await PostFormAsync("/oauth2/token", form, cancellationToken);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
        Assert.True(response.IsSuccessStatusCode, $"token endpoint: {(int)response.StatusCode} {body}");
        return body;
    }

    public async Task<HttpResponseMessage> PostFormAsync(string path, Dictionary<string, string> form, CancellationToken cancellationToken, HttpClient? over = null) =>
        await (over ?? _client).PostAsync(path, new FormUrlEncodedContent(form), cancellationToken);

    /// <summary>Lists the accounts and puts the consent on all of them for balances and transactions, as the platform does.</summary>
    public async Task<JsonArray> ConsentToAllAsync(string accessToken, CancellationToken cancellationToken)
    {
        var (status, accounts) = await GetAsync("/accounts", "HalAccounts", accessToken, cancellationToken);
        Assert.Equal(HttpStatusCode.OK, status);
        var list = accounts!["accounts"]!.AsArray();
        var ibans = new JsonArray([.. list.Select(a => (JsonNode)new JsonObject { ["iban"] = a!["accountId"]!["iban"]!.GetValue<string>() })]);
        var (put, _) = await PutConsentsAsync(accessToken, ibans, ibans.DeepClone().AsArray(), cancellationToken);
        Assert.Equal(HttpStatusCode.Created, put);
        return list;
    }

    public Task<Answer> PutConsentsAsync(string accessToken, JsonArray balances, JsonArray transactions, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Put, "/consents", "ErrorModel", accessToken, new JsonObject
        {
            ["balances"] = balances,
            ["transactions"] = transactions,
            ["trustedBeneficiaries"] = false,
            ["psuIdentity"] = false,
        }.ToJsonString(), cancellationToken);

    /// <summary>
    /// A call to the API, signed. The answer's body is recorded against <paramref name="component"/> (errors against
    /// ErrorModel) for <see cref="AssertRecordedMatchSpecAsync"/>.
    /// </summary>
    /// <param name="tamper">Changes the request after it was signed, as a man in the middle would.</param>
    public async Task<Answer> SendAsync(
        HttpMethod method, string path, string component, string? token, string? json, CancellationToken cancellationToken,
        HttpClient? over = null, IReadOnlyDictionary<string, string>? headers = null, bool sign = true, Action<HttpRequestMessage>? tamper = null)
    {
        // Absolute, as the signature covers (request-target) as it goes on the wire.
        using var request = new HttpRequestMessage(method, path.StartsWith("https:", StringComparison.Ordinal) ? new Uri(path) : new Uri(bank.TppBaseUrl, Base + path));
        if (token is not null)
        {
            request.Headers.Authorization = new("Bearer", token);
        }

        var requestId = Guid.NewGuid().ToString();
        request.Headers.Add("X-Request-ID", requestId);
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            request.Headers.Add(name, value);
        }

        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        if (sign)
        {
            await StetSigning.SignAsync(request, certificates.QsealC, bank.KeyId(certificates.QsealC), cancellationToken);
        }

        tamper?.Invoke(request);
        using var response = await (over ?? _client).SendAsync(request, cancellationToken);
        var sentId = request.Headers.GetValues("X-Request-ID").Single();
        Assert.Equal(sentId, response.Headers.GetValues("X-Request-ID").Single());

        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        var parsed = text.Length == 0 ? null : JsonNode.Parse(text);
        if (parsed is not null)
        {
            var success = response.IsSuccessStatusCode;
            Assert.Equal(success ? "application/hal+json; charset=utf-8" : "application/json", response.Content.Headers.ContentType?.ToString());
            _recorded.Add(method, path, response.StatusCode, parsed, component: success ? component : "ErrorModel");
        }

        return new Answer(response.StatusCode, parsed, response.Headers.RetryAfter?.Delta);
    }

    public Task<Answer> GetAsync(
        string path, string component, string? token, CancellationToken cancellationToken, HttpClient? over = null,
        IReadOnlyDictionary<string, string>? headers = null, bool sign = true) =>
        SendAsync(HttpMethod.Get, path, component, token, null, cancellationToken, over, headers, sign);

    /// <summary>Every recorded answer validates against its schema in specs/stet/stet-openapi.json (ajv, tests/tools/validate-responses.mjs).</summary>
    public Task AssertRecordedMatchSpecAsync(CancellationToken cancellationToken) => _recorded.AssertMatchSpecAsync(cancellationToken);

    public static string SpecPath => Path.GetFullPath(Path.Combine(NodeTool.RepositoryRoot, "specs", "stet", "stet-openapi.json"));

    /// <summary>The PSU signs in to the bank's consents page and revokes a consent there.</summary>
    public async Task RevokeAsPsuAsync(string personalNumber, string tppId, CancellationToken cancellationToken)
    {
        using var browser = bank.Browser();
        var signIn = await browser.GetStringAsync("/psu/consents", cancellationToken);
        using var bankId = await BankPages.SubmitAsync(browser, signIn, "/psu/signin", new() { ["personalNumber"] = personalNumber }, cancellationToken);
        using var signedIn = await BankPages.SubmitAsync(browser, await bankId.Content.ReadAsStringAsync(cancellationToken), "/psu/signin/confirm", new() { ["decision"] = "approve" }, cancellationToken);
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        var page = await browser.GetStringAsync("/psu/consents", cancellationToken);
        var revoke = RevokeAction().Matches(page).Select(m => m.Groups[1].Value).Single();
        using var revoked = await BankPages.SubmitAsync(browser, page, revoke, [], cancellationToken);
        Assert.Equal(HttpStatusCode.Redirect, revoked.StatusCode);
        Assert.Contains(tppId, page, StringComparison.Ordinal);
    }

    public void Dispose() => _client.Dispose();

    [GeneratedRegex("action=\"(/psu/consents/[0-9a-f]+/revoke)\"")]
    private static partial Regex RevokeAction();
}

/// <summary>An authorisation request's parameters and the secrets the TPP keeps for the code exchange.</summary>
public sealed record Authorization(string Verifier, string State, Dictionary<string, string> Parameters)
{
    public Dictionary<string, string> CodeForm(string code, string clientId, string? verifier = null) => new()
    {
        ["grant_type"] = "authorization_code",
        ["code"] = code,
        ["redirect_uri"] = Parameters["redirect_uri"],
        ["code_verifier"] = verifier ?? Verifier,
        ["client_id"] = clientId,
    };
}

public sealed record Answer(HttpStatusCode Status, JsonNode? Body, TimeSpan? RetryAfter)
{
    public string? Message => Body?["message"]?.GetValue<string>();

    public void Deconstruct(out HttpStatusCode status, out JsonNode? body) => (status, body) = (Status, Body);
}
