using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Psd2.IntegrationTests.Harness;
using Psd2.SandboxPki;

namespace Psd2.SandboxBank.Tests.UkOpenBanking;

/// <summary>
/// A TPP speaking the UK dialect to the in-process bank, as the contract describes it, and the PSU's browser when
/// the PSU is asked. Every answer from the API is recorded, so a test can hold all of them to the official spec.
/// </summary>
public sealed class UkTpp(UkBank bank, TppCertificates certificates) : IDisposable
{
    public const string RedirectUri = "https://tpp.example/callback";
    private const string Base = "/open-banking/v4.0/aisp";

    private readonly HttpClient _client = bank.TppClient(certificates.Qwac);
    private readonly RecordedResponses _recorded = new(SpecPath, "UK Open Banking v4.0");

    public string ClientId { get; } = CertificateFactory.ReadOrganizationIdentifier(certificates.Qwac)!;

    public string Issuer => bank.PsuBaseUrl.ToString().TrimEnd('/');

    public async Task<string> ClientCredentialsTokenAsync(CancellationToken cancellationToken)
    {
        var token = await TokenAsync(new() { ["grant_type"] = "client_credentials", ["scope"] = "accounts", ["client_id"] = ClientId }, cancellationToken);
        Assert.Equal("accounts", token.GetProperty("scope").GetString());
        Assert.False(token.TryGetProperty("refresh_token", out _));
        return token.GetProperty("access_token").GetString()!;
    }

    public async Task<JsonElement> TokenAsync(Dictionary<string, string> form, CancellationToken cancellationToken)
    {
        using var response = await _client.PostAsync("/oauth2/token", new FormUrlEncodedContent(form), cancellationToken);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
        Assert.True(response.IsSuccessStatusCode, $"token endpoint: {(int)response.StatusCode} {body}");
        return body;
    }

    public async Task<HttpResponseMessage> PostTokenAsync(Dictionary<string, string> form, CancellationToken cancellationToken) =>
        await _client.PostAsync("/oauth2/token", new FormUrlEncodedContent(form), cancellationToken);

    public async Task<string> CreateConsentAsync(string clientToken, CancellationToken cancellationToken, params string[] permissions)
    {
        permissions = permissions.Length > 0
            ? permissions
            : ["ReadAccountsDetail", "ReadBalances", "ReadTransactionsDetail", "ReadTransactionsCredits", "ReadTransactionsDebits"];
        var (status, body) = await SendAsync(HttpMethod.Post, "/account-access-consents", "/account-access-consents", clientToken,
            new JsonObject { ["Data"] = new JsonObject { ["Permissions"] = new JsonArray([.. permissions.Select(p => (JsonNode)p)]) }, ["Risk"] = new JsonObject() },
            cancellationToken);
        Assert.Equal(HttpStatusCode.Created, status);
        Assert.Equal("AWAU", body!["Data"]!["Status"]!.GetValue<string>());
        return body["Data"]!["ConsentId"]!.GetValue<string>();
    }

    /// <summary>Sends the PSU's browser to /oauth2/authorize with a request object; answers the bank's first response.</summary>
    public Task<HttpResponseMessage> AuthorizeAsync(HttpClient browser, string requestObject, string? clientId = null, string scope = "openid accounts") =>
        BankPages.AuthorizeAsync(browser, new Dictionary<string, string>
        {
            ["response_type"] = "code",
            ["client_id"] = clientId ?? ClientId,
            ["scope"] = scope,
            ["request"] = requestObject,
        });

    /// <summary>The whole authorisation: request object, PSU signs in and decides, code exchanged for tokens.</summary>
    public async Task<Tokens> AuthoriseAsync(string consentId, string personalNumber, CancellationToken cancellationToken)
    {
        var (verifier, challenge) = BankPages.NewPkce();
        var state = Guid.NewGuid().ToString("N");
        var requestObject = RequestObject.Sign(RequestObject.Claims(ClientId, Issuer, consentId, RedirectUri, state, challenge), certificates.QsealC);

        using var browser = bank.Browser();
        using var signIn = await AuthorizeAsync(browser, requestObject);
        Assert.Equal(HttpStatusCode.OK, signIn.StatusCode);
        var callback = await BankPages.SignInAndDecideAsync(browser, await signIn.Content.ReadAsStringAsync(cancellationToken), personalNumber, "approve", cancellationToken);
        var query = System.Web.HttpUtility.ParseQueryString(callback.Query);
        Assert.Equal(state, query["state"]);
        var code = query["code"] ?? throw new InvalidOperationException($"No code in {callback}");

        var token = await TokenAsync(new()
        {
            ["grant_type"] = "authorization_code",
            ["code"] = code,
            ["redirect_uri"] = RedirectUri,
            ["code_verifier"] = verifier,
            ["client_id"] = ClientId,
        }, cancellationToken);
        Assert.Equal("Bearer", token.GetProperty("token_type").GetString());
        Assert.Equal("openid accounts", token.GetProperty("scope").GetString());
        return new Tokens(token.GetProperty("access_token").GetString()!, token.GetProperty("refresh_token").GetString()!);
    }

    /// <summary>A call to the API, recorded under the spec's path template for <see cref="AssertRecordedMatchSpecAsync"/>.</summary>
    public async Task<(HttpStatusCode Status, JsonNode? Body)> SendAsync(
        HttpMethod method, string path, string template, string token, JsonNode? body, CancellationToken cancellationToken, HttpClient? over = null,
        IReadOnlyDictionary<string, string>? headers = null)
    {
        using var request = new HttpRequestMessage(method, path.StartsWith("https:", StringComparison.Ordinal) ? path : Base + path);
        request.Headers.Authorization = new("Bearer", token);
        request.Headers.Add("x-fapi-interaction-id", Guid.NewGuid().ToString());
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            request.Headers.Add(name, value);
        }

        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        }

        using var response = await (over ?? _client).SendAsync(request, cancellationToken);
        Assert.Equal(request.Headers.GetValues("x-fapi-interaction-id").Single(), response.Headers.GetValues("x-fapi-interaction-id").Single());
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        var parsed = text.Length == 0 ? null : JsonNode.Parse(text);
        _recorded.Add(method, template, response.StatusCode, parsed);
        return (response.StatusCode, parsed);
    }

    public Task<(HttpStatusCode Status, JsonNode? Body)> GetAsync(string path, string template, string token, CancellationToken cancellationToken, HttpClient? over = null, IReadOnlyDictionary<string, string>? headers = null) =>
        SendAsync(HttpMethod.Get, path, template, token, null, cancellationToken, over, headers);

    /// <summary>Every recorded answer validates against the official v4.0 OpenAPI file (ajv, tests/tools/validate-responses.mjs).</summary>
    public Task AssertRecordedMatchSpecAsync(CancellationToken cancellationToken) => _recorded.AssertMatchSpecAsync(cancellationToken);

    public static string SpecPath => Path.GetFullPath(Path.Combine(NodeTool.RepositoryRoot, "..", "shared", "specs", "uk-open-banking", "account-info-openapi.json"));

    public void Dispose() => _client.Dispose();
}

public sealed record Tokens(string AccessToken, string RefreshToken);
