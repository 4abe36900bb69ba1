using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Npgsql;
using Psd2.IntegrationTests.Harness;

namespace Psd2.IntegrationTests.Api;

/// <summary>
/// An attacker's view of the api: another client app's key on every owned resource, missing and forged keys on every
/// /v1 endpoint, forged callbacks, redirect URIs that only look allowed, and the token columns read straight from the
/// database.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class BreakInTests(AppFixture fixture) : IDisposable
{
    private const string ClientReturn = "https://client.example/bank-return";
    private const string PsuIpAddress = "198.51.100.7";

    /// <summary>A valid IBAN the sandbox bank holds no account under: the owner's payment from it is refused there, and still the owner's.</summary>
    private const string OwnersIban = "SE3550000000054910000003";

    /// <summary>Every /v1 operation on something a client app owns, tried with the owner's ids (deletes last).</summary>
    private static readonly Probe[] OwnedOperations =
    [
        new("GET", "/v1/users/{userId}"),
        new("GET", "/v1/users/{userId}/connections"),
        new("POST", "/v1/users/{userId}/connections", Body: new { institutionId = "sandboxbank", flow = "redirect", redirectUri = ClientReturn }),
        new("GET", "/v1/connections/{connectionId}"),
        new("POST", "/v1/connections/{connectionId}/verify"),
        new("POST", "/v1/connections/{connectionId}/renew", Body: new { }),
        new("POST", "/v1/users/{userId}/connect-links", Body: new { redirectUri = ClientReturn }),
        new("POST", "/v1/connections/{connectionId}/refresh", Body: new { psuIpAddress = PsuIpAddress }),
        new("GET", "/v1/connections/{connectionId}/sync-runs"),
        new("GET", "/v1/connections/{connectionId}/schedule"),
        new("GET", "/v1/sync-runs/{syncRunId}"),
        new("GET", "/v1/users/{userId}/export", Query: "?format=xlsx"),
        new("GET", "/v1/users/{userId}/accounts"),
        new("GET", "/v1/accounts/{accountId}"),
        new("GET", "/v1/accounts/{accountId}/balances"),
        new("GET", "/v1/accounts/{accountId}/transactions"),
        new("GET", "/v1/accounts/{accountId}/transactions/{transactionId}"),
        new("GET", "/v1/users/{userId}/payments"),
        new("POST", "/v1/users/{userId}/payments", Body: new
        {
            institutionId = "sandboxbank", debtorIban = OwnersIban, creditorName = "Intruder AB", creditorIban = OwnersIban, amount = "1.00", currency = "SEK",
            flow = "decoupled", psuId = "197503152386", psuIpAddress = PsuIpAddress,
        }),
        new("GET", "/v1/payments/{paymentId}"),
        new("POST", "/v1/payments/{paymentId}/connect-link", Body: new { redirectUri = ClientReturn }),
        new("GET", "/v1/webhook-endpoints/{endpointId}"),
        new("POST", "/v1/webhook-endpoints/{endpointId}/rotate-secret"),
        new("GET", "/v1/webhook-endpoints/{endpointId}/deliveries"),
        new("GET", "/v1/webhook-endpoints/{endpointId}/deliveries/{deliveryId}"),
        new("POST", "/v1/webhook-endpoints/{endpointId}/deliveries/{deliveryId}/redeliver"),
        new("DELETE", "/v1/webhook-endpoints/{endpointId}"),
        new("DELETE", "/v1/connections/{connectionId}"),
        new("DELETE", "/v1/connections/{connectionId}", Query: "?purge=true"),
        new("DELETE", "/v1/users/{userId}"),
    ];

    /// <summary>Routes with an id that no client app owns: the institutions on offer are the same for every app.</summary>
    private static readonly string[] SharedRoutes = ["GET /v1/institutions/{institutionId}"];

    private readonly BankTpp _bank = new(fixture.App);

    [Fact]
    public async Task AnotherAppsKeyFindsNothingOfTheOwnersOnAnyEndpoint()
    {
        using var owner = await ClientWithUserAsync();
        using var intruder = await ClientWithUserAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        var endpointId = await WebhookEndpointAsync(owner, receiver.Url);
        var (connectionId, consentId) = await ActiveConnectionAsync(owner);
        using var refreshed = await owner.Api.PostAsJsonAsync($"/v1/connections/{connectionId}/refresh", new { psuIpAddress = PsuIpAddress });
        Assert.Equal(HttpStatusCode.Accepted, refreshed.StatusCode);
        var syncRunId = (await refreshed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        await ApiTestClient.WaitForSyncRunAsync(owner.Api, syncRunId);
        var accountId = (await owner.Api.GetFromJsonAsync<JsonElement>($"/v1/users/{owner.UserId}/accounts"))[0].GetProperty("id").GetGuid();
        var transactionId = (await owner.Api.GetFromJsonAsync<JsonElement>($"/v1/accounts/{accountId}/transactions?limit=1")).GetProperty("items")[0].GetProperty("id").GetGuid();
        var deliveryId = await WebhookDeliveryAsync(owner, endpointId);
        var paymentId = await PaymentAsync(owner);

        var withIds = (await V1OperationsAsync()).Where(o => o.Contains('{', StringComparison.Ordinal)).Except(SharedRoutes).ToList();
        var probed = OwnedOperations.Select(p => p.Operation).ToList();
        Assert.True(withIds.Order().SequenceEqual(probed.Distinct().Order()),
            $"Routes with an id that this test does not try: [{string.Join(", ", withIds.Except(probed))}]; tried but not in the OpenAPI document: [{string.Join(", ", probed.Except(withIds))}]");

        var answers = new List<string>();
        foreach (var probe in OwnedOperations)
        {
            using var response = await intruder.Api.SendAsync(probe.Request(name => name switch
            {
                "userId" => owner.UserId.ToString(),
                "connectionId" => connectionId.ToString(),
                "syncRunId" => syncRunId.ToString(),
                "accountId" => accountId.ToString(),
                "transactionId" => transactionId.ToString(),
                "endpointId" => endpointId.ToString(),
                "deliveryId" => deliveryId.ToString(),
                "paymentId" => paymentId.ToString(),
                _ => throw new InvalidOperationException($"{probe.Operation}: this test holds no {name} of the owner's to try it with."),
            }));
            answers.Add($"{probe.Operation}{probe.Query} -> {(int)response.StatusCode} {await CodeAsync(response)}");
        }

        Assert.All(answers, answer => Assert.EndsWith(" -> 404 not_found", answer, StringComparison.Ordinal));
        using (var user = await owner.Api.GetAsync($"/v1/users/{owner.UserId}"))
        {
            Assert.Equal(HttpStatusCode.OK, user.StatusCode);
        }

        var connections = await owner.Api.GetFromJsonAsync<JsonElement>($"/v1/users/{owner.UserId}/connections");
        Assert.Equal([(connectionId, "active")], connections.EnumerateArray().Select(c => (c.GetProperty("id").GetGuid(), c.GetProperty("status").GetString())));
        Assert.Equal("valid", (string?)(await _bank.AdminGetAsync($"/sandbox/consents/{consentId}"))["status"]);
        var runs = await owner.Api.GetFromJsonAsync<JsonElement>($"/v1/connections/{connectionId}/sync-runs");
        Assert.Equal([syncRunId], runs.EnumerateArray().Where(r => r.GetProperty("userPresent").GetBoolean()).Select(r => r.GetProperty("id").GetGuid()));
        await AssertAuditHidesTheOwnerAsync(owner, intruder, connectionId);
        var endpoint = await owner.Api.GetFromJsonAsync<JsonElement>($"/v1/webhook-endpoints/{endpointId}");
        Assert.Equal(JsonValueKind.Null, endpoint.GetProperty("previousSecretExpiresAt").ValueKind);
        Assert.Single((await owner.Api.GetFromJsonAsync<JsonElement>($"/v1/webhook-endpoints/{endpointId}/deliveries")).EnumerateArray(), d => d.GetProperty("id").GetGuid() == deliveryId);
    }

    /// <summary>A payment of the owner's (the bank refuses it: its debtor account is not one of the bank's, which does not matter here).</summary>
    private static async Task<Guid> PaymentAsync(TestClient client)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/users/{client.UserId}/payments")
        {
            Content = JsonContent.Create(OwnedOperations.Single(p => p.Operation == "POST /v1/users/{userId}/payments").Body),
            Headers = { { "Idempotency-Key", Guid.NewGuid().ToString() } },
        };
        using var response = await client.Api.SendAsync(request);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    /// <summary>A webhook endpoint of the owner's, its secret registered for the log scan.</summary>
    private static async Task<Guid> WebhookEndpointAsync(TestClient client, string url)
    {
        using var response = await client.Api.PostAsJsonAsync("/v1/webhook-endpoints", new { url });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = await response.Content.ReadFromJsonAsync<JsonElement>();
        SeenSecrets.Add(SecretKind.WebhookSecret, created.GetProperty("secret").GetString());
        return created.GetProperty("id").GetGuid();
    }

    /// <summary>The first delivery to the owner's endpoint (connection.active), once the worker has fanned it out.</summary>
    private static async Task<Guid> WebhookDeliveryAsync(TestClient client, Guid endpointId)
    {
        var deliveries = await Eventually.Holds(ct => client.Api.GetFromJsonAsync<JsonElement>($"/v1/webhook-endpoints/{endpointId}/deliveries", ct),
            d => d.GetArrayLength() > 0, Eventually.Seconds(60), "a delivery to the owner's webhook endpoint");
        return deliveries[deliveries.GetArrayLength() - 1].GetProperty("id").GetGuid();
    }

    [Fact]
    public async Task MissingMalformedUnknownWrongAndRevokedKeysAre401OnEveryV1Endpoint()
    {
        var client = await ClientAppCli.CreateAsync(fixture.App, ClientReturn);
        var revoked = await ClientAppCli.CreateAsync(fixture.App, ClientReturn);
        SeenSecrets.Add(SecretKind.ApiKey, client.Key);
        SeenSecrets.Add(SecretKind.ApiKey, revoked.Key);
        using (var beforeRevoking = ClientAppCli.ApiClient(fixture.App, revoked.Key))
        using (var works = await beforeRevoking.GetAsync("/v1/users"))
        {
            Assert.Equal(HttpStatusCode.OK, works.StatusCode);
        }

        var (exitCode, _, stderr) = await ClientAppCli.RunAsync(fixture.App, "clientapps", "revoke-key", "--client-app", revoked.Id.ToString(), "--key", revoked.KeyId.ToString());
        Assert.True(exitCode == 0, stderr);

        var prefix = client.Key.Split('_', 3)[1];
        var otherSecret = BankTpp.Base64Url(RandomNumberGenerator.GetBytes(32));
        var unknownPrefix = $"psd2_{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6))}_{client.Key.Split('_', 3)[2]}";
        (string Name, string? Header, string? Value, string Code)[] presentations =
        [
            ("no key", null, null, "api_key_missing"),
            ("another scheme", "Authorization", "Basic dXNlcjpwYXNz", "api_key_missing"),
            ("empty bearer", "Authorization", "Bearer ", "api_key_missing"),
            ("malformed", "Authorization", "Bearer not-a-key", "api_key_invalid"),
            ("scheme only", "X-Api-Key", "psd2_", "api_key_invalid"),
            ("overlong", "Authorization", $"Bearer psd2_{prefix}_{new string('A', 200)}", "api_key_invalid"),
            ("unknown prefix", "Authorization", "Bearer " + unknownPrefix, "api_key_invalid"),
            ("right prefix, wrong secret", "Authorization", $"Bearer psd2_{prefix}_{otherSecret}", "api_key_invalid"),
            ("right prefix, wrong secret in X-Api-Key", "X-Api-Key", $"psd2_{prefix}_{otherSecret}", "api_key_invalid"),
            ("revoked", "Authorization", "Bearer " + revoked.Key, "api_key_invalid"),
        ];

        var operations = await V1OperationsAsync();
        Assert.Superset(
            OwnedOperations.Select(p => p.Operation).Concat(SharedRoutes).Concat(["GET /v1/users", "POST /v1/users", "GET /v1/audit-events", "GET /v1/institutions", "GET /v1/scheduler/jobs"]).ToHashSet(),
            operations.ToHashSet());
        using var anonymous = fixture.App.CreateHttpClient("api");
        using var valid = ClientAppCli.ApiClient(fixture.App, client.Key);
        var answers = new List<string>();
        foreach (var operation in operations)
        {
            // The client's own key gets past the check to the endpoint, so each 401 below is the key check's doing.
            using (var reached = await valid.SendAsync(Probe.Of(operation).Request(_ => Guid.NewGuid().ToString())))
            {
                Assert.True(reached.StatusCode is not (HttpStatusCode.Unauthorized or HttpStatusCode.MethodNotAllowed)
                    && (reached.StatusCode != HttpStatusCode.NotFound || await CodeAsync(reached) == "not_found"), $"{operation} answered {(int)reached.StatusCode} to a valid key");
            }

            foreach (var (name, header, value, code) in presentations)
            {
                using var request = Probe.Of(operation).Request(_ => Guid.NewGuid().ToString());
                if (header is not null)
                {
                    request.Headers.TryAddWithoutValidation(header, value);
                }

                using var response = await anonymous.SendAsync(request);
                // RFC 6750: the challenge names the realm, and says invalid_token when a key was presented.
                var challenge = code == "api_key_missing" ? "Bearer realm=\"psd2\"" : "Bearer realm=\"psd2\", error=\"invalid_token\"";
                var answer = $"{(int)response.StatusCode} {await CodeAsync(response)} {response.Headers.WwwAuthenticate}";
                answers.Add($"{operation} with {name}: {(answer == $"401 {code} {challenge}" ? "as expected" : answer)}");
            }
        }

        Assert.All(answers, answer => Assert.EndsWith(": as expected", answer, StringComparison.Ordinal));
    }

    [Fact]
    public async Task CallbackWithATamperedStateIsRefusedAndTheRealOneStillWorks()
    {
        using var client = await ClientWithUserAsync();
        var psu = await _bank.CreatePsuAsync();
        var connection = await StartRedirectAsync(client);
        var callback = await ApproveAtBankAsync(connection, psu);
        var state = BankTpp.Query(callback, "state")!;
        var tampered = state[..^1] + (state[^1] == 'A' ? 'B' : 'A');
        using var browser = fixture.App.CreateHttpClient("api", followRedirects: false);

        using var refused = await browser.GetAsync(callback.ToString().Replace("state=" + state, "state=" + tampered, StringComparison.Ordinal));

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal("state_invalid", await CodeAsync(refused));
        Assert.Equal("pending_authorisation", await StatusAsync(client, connection));
        using var genuine = await browser.GetAsync(callback);
        Assert.Equal($"{ClientReturn}?connectionId={connection.Id}&outcome=active", genuine.Headers.Location?.ToString());
        await SeenSecrets.AddTokensAsync(fixture.App, connection.Id);
    }

    [Fact]
    public async Task CallbackWithoutAStateOrWithAnOverlongOneIsRefused()
    {
        using var client = await ClientWithUserAsync();
        var psu = await _bank.CreatePsuAsync();
        var connection = await StartRedirectAsync(client);
        var callback = await ApproveAtBankAsync(connection, psu);
        var state = BankTpp.Query(callback, "state")!;
        var code = BankTpp.Query(callback, "code")!;
        using var browser = fixture.App.CreateHttpClient("api", followRedirects: false);

        (string Name, string Query)[] forged =
        [
            ("no state", $"?code={code}"),
            ("empty state", $"?state=&code={code}"),
            ("wildcard state", $"?state=%2A&code={code}"),
            ("the state and more", $"?state={state}{new string('A', 58)}&code={code}"),
            ("6000 characters", $"?state={new string('A', 6000)}&code={code}"),
            ("the state twice", $"?state={state}&state={state}&code={code}"),
        ];
        var answers = new List<string>();
        foreach (var (name, query) in forged)
        {
            using var refused = await browser.GetAsync("/connect/callback" + query);
            answers.Add($"{name}: {(int)refused.StatusCode} {await CodeAsync(refused)}");
        }

        Assert.All(answers, answer => Assert.EndsWith(": 400 state_invalid", answer, StringComparison.Ordinal));

        // Longer than a request line may be: refused by the server before any code runs.
        using (var tooLong = await browser.GetAsync($"/connect/callback?state={new string('A', 20_000)}&code={code}"))
        {
            Assert.Equal(HttpStatusCode.RequestUriTooLong, tooLong.StatusCode);
        }

        Assert.Equal("pending_authorisation", await StatusAsync(client, connection));
        using var genuine = await browser.GetAsync(callback);
        Assert.Equal($"{ClientReturn}?connectionId={connection.Id}&outcome=active", genuine.Headers.Location?.ToString());
        await SeenSecrets.AddTokensAsync(fixture.App, connection.Id);
    }

    [Fact]
    public async Task StateOfOneConnectionWithTheCodeOfAnotherActivatesNeither()
    {
        using var first = await ClientWithUserAsync();
        using var second = await ClientWithUserAsync();
        var (firstPsu, secondPsu) = (await _bank.CreatePsuAsync(), await _bank.CreatePsuAsync());
        var x = await StartRedirectAsync(first);
        var y = await StartRedirectAsync(second);
        var callbackX = await ApproveAtBankAsync(x, firstPsu);
        var callbackY = await ApproveAtBankAsync(y, secondPsu);
        using var browser = fixture.App.CreateHttpClient("api", followRedirects: false);

        // X's state carries X's PKCE verifier, which does not match Y's code: the bank refuses and spends the code.
        using var swapped = await browser.GetAsync($"/connect/callback?state={BankTpp.Query(callbackX, "state")}&code={BankTpp.Query(callbackY, "code")}");
        using var replayedY = await browser.GetAsync(callbackY);

        Assert.Equal($"{ClientReturn}?connectionId={x.Id}&outcome=failed", swapped.Headers.Location?.ToString());
        Assert.Equal($"{ClientReturn}?connectionId={y.Id}&outcome=failed", replayedY.Headers.Location?.ToString());
        foreach (var (client, connection) in new[] { (first, x), (second, y) })
        {
            var view = await client.Api.GetFromJsonAsync<JsonElement>($"/v1/connections/{connection.Id}");
            Assert.Equal(("failed", "token_exchange_failed"), (view.GetProperty("status").GetString(), view.GetProperty("statusReason").GetString()));
            Assert.Null(await StoredTokens.ReadAsync(fixture.App, connection.Id));
        }

        using var again = await browser.GetAsync(callbackX);
        Assert.Equal("state_invalid", await CodeAsync(again));
    }

    [Fact]
    public async Task RedirectUrisThatOnlyResembleAnAllowedOneAreRefused()
    {
        using var client = await ClientWithUserAsync();
        var (connectionId, _) = await ActiveConnectionAsync(client);
        string?[] lookalikes =
        [
            null, "", "https://client.example/bank-return.evil.example", "https://client.example/bank-return/", "https://client.example/bank-returnx",
            "https://client.example/bank-return/../evil", "https://client.example/./bank-return", "https://client.example/bank-return%2F",
            "https://CLIENT.EXAMPLE/bank-return", "HTTPS://client.example/bank-return", "https://client.example/Bank-Return",
            "https://client.example:443/bank-return", "http://client.example/bank-return", "//client.example/bank-return",
            "https://client.example/bank-return?next=https://evil.example", "https://client.example/bank-return#x",
            "https://client.example.evil.example/bank-return", "https://client.example@evil.example/bank-return",
            " https://client.example/bank-return", "https://client.example/bank-return ", "https://client.example/bank-return\n",
        ];

        var answers = new List<string>();
        foreach (var uri in lookalikes)
        {
            using var redirect = await client.Api.PostAsJsonAsync($"/v1/users/{client.UserId}/connections", new { institutionId = "sandboxbank", flow = "redirect", redirectUri = uri });
            using var decoupled = await client.Api.PostAsJsonAsync($"/v1/users/{client.UserId}/connections",
                new { institutionId = "sandboxbank", flow = "decoupled", psuId = "199001011234", redirectUri = uri ?? "" });
            using var renewal = await client.Api.PostAsJsonAsync($"/v1/connections/{connectionId}/renew", new { redirectUri = uri ?? "" });
            using var link = await client.Api.PostAsJsonAsync($"/v1/users/{client.UserId}/connect-links", new { redirectUri = uri });
            foreach (var (name, response) in new[] { ("redirect", redirect), ("decoupled", decoupled), ("renew", renewal), ("connect link", link) })
            {
                answers.Add($"{name} to '{uri}': {(int)response.StatusCode} {await CodeAsync(response)}");
            }
        }

        Assert.All(answers, answer => Assert.EndsWith(": 400 redirect_uri_not_allowed", answer, StringComparison.Ordinal));
        var connections = await client.Api.GetFromJsonAsync<JsonElement>($"/v1/users/{client.UserId}/connections");
        Assert.Equal([(connectionId, "active")], connections.EnumerateArray().Select(c => (c.GetProperty("id").GetGuid(), c.GetProperty("status").GetString())));
    }

    [Fact]
    public async Task StoredTokensAreCiphertextsOfTheBanksTokensAndNoTableHoldsThemInClear()
    {
        using var client = await ClientWithUserAsync();
        var (connectionId, consentId) = await ActiveConnectionAsync(client);

        var stored = await SeenSecrets.AddTokensAsync(fixture.App, connectionId);

        Assert.NotEqual(stored.AccessToken, stored.RefreshToken);
        Assert.Equal(("access", consentId, false), await BankTokenAsync(stored.AccessToken));
        Assert.Equal(("refresh", consentId, false), await BankTokenAsync(stored.RefreshToken));
        Assert.ThrowsAny<CryptographicException>(() => StoredTokens.Protector(fixture.App).Unprotect(stored.AccessTokenCipher, Guid.NewGuid()));
        var dump = await DumpPsd2dbAsync();
        Assert.Contains(connectionId.ToString(), dump, StringComparison.Ordinal);
        Assert.Contains(Convert.ToHexStringLower(stored.AccessTokenCipher), dump, StringComparison.Ordinal);
        var view = await client.Api.GetStringAsync($"/v1/connections/{connectionId}");
        foreach (var (token, cipher) in new[] { (stored.AccessToken, stored.AccessTokenCipher), (stored.RefreshToken, stored.RefreshTokenCipher) })
        {
            var plain = Encoding.UTF8.GetBytes(token);
            Assert.True(cipher.AsSpan().IndexOf(plain) < 0, "a token's bytes are in its cipher column");
            Assert.False(dump.Contains(token, StringComparison.Ordinal), "a token is in clear in psd2db");
            Assert.False(dump.Contains(Convert.ToHexStringLower(plain), StringComparison.Ordinal), "a token's bytes are in a bytea column of psd2db");
            Assert.DoesNotContain(token, view, StringComparison.Ordinal);
        }
    }

    private async Task AssertAuditHidesTheOwnerAsync(TestClient owner, TestClient intruder, Guid connectionId)
    {
        var own = await owner.Api.GetFromJsonAsync<JsonElement>($"/v1/audit-events?userId={owner.UserId}");
        Assert.Contains(own.GetProperty("items").EnumerateArray(), e => e.GetProperty("type").GetString() == "connection.authorised");
        foreach (var filter in new[] { $"?userId={owner.UserId}", $"?connectionId={connectionId}", $"?userId={owner.UserId}&connectionId={connectionId}" })
        {
            var foreign = await intruder.Api.GetFromJsonAsync<JsonElement>("/v1/audit-events" + filter);
            Assert.Equal(0, foreign.GetProperty("items").GetArrayLength());
        }

        var all = await intruder.Api.GetFromJsonAsync<JsonElement>("/v1/audit-events?limit=500");
        Assert.Equal(JsonValueKind.Null, all.GetProperty("nextCursor").ValueKind);
        var items = all.GetProperty("items").EnumerateArray().ToList();
        Assert.Contains(items, e => e.GetProperty("userId").GetString() == intruder.UserId.ToString());
        Assert.DoesNotContain(items, e => e.GetProperty("userId").GetString() == owner.UserId.ToString()
            || e.GetProperty("connectionId").GetString() == connectionId.ToString());
    }

    /// <summary>The /v1 operations the OpenAPI document lists, as "METHOD /path/{param}".</summary>
    private async Task<List<string>> V1OperationsAsync() => (await DocumentedOperation.OfV1Async(fixture.App)).Select(o => o.Name).ToList();

    /// <summary>A client app of the test's own, with its key registered as a secret, and one user.</summary>
    private async Task<TestClient> ClientWithUserAsync()
    {
        var app = await ClientAppCli.CreateAsync(fixture.App, ClientReturn);
        SeenSecrets.Add(SecretKind.ApiKey, app.Key);
        var api = ClientAppCli.ApiClient(fixture.App, app.Key);
        using var user = await api.PostAsJsonAsync("/v1/users", new { externalReference = "u-" + Guid.NewGuid().ToString("N")[..8] });
        Assert.Equal(HttpStatusCode.Created, user.StatusCode);
        return new TestClient(api, (await user.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid());
    }

    private static async Task<StartedConnection> StartRedirectAsync(TestClient client)
    {
        using var response = await client.Api.PostAsJsonAsync($"/v1/users/{client.UserId}/connections", new { institutionId = "sandboxbank", flow = "redirect", redirectUri = ClientReturn });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, body);
        var started = JsonDocument.Parse(body).RootElement;
        return new StartedConnection(started.GetProperty("id").GetGuid(), new Uri(started.GetProperty("authorisationUrl").GetString()!));
    }

    /// <summary>The user's browser at the bank: BankID sign-in and approval; returns the callback the bank sends it to, its secrets registered.</summary>
    private async Task<Uri> ApproveAtBankAsync(StartedConnection connection, TestPsu psu)
    {
        using var signIn = await _bank.Browser.GetAsync(connection.AuthorisationUrl);
        Assert.Equal(HttpStatusCode.OK, signIn.StatusCode);
        using var bankId = await _bank.SubmitFormAsync(await signIn.Content.ReadAsStringAsync(), new() { ["personalNumber"] = psu.PersonalNumber });
        using var decided = await _bank.SubmitFormAsync(await bankId.Content.ReadAsStringAsync(), new() { ["decision"] = "approve" });
        Assert.Equal(HttpStatusCode.Redirect, decided.StatusCode);
        var callback = decided.Headers.Location!;
        await SeenSecrets.AddCallbackAsync(fixture.App, callback);
        return callback;
    }

    /// <summary>A connection through the whole redirect flow, its tokens registered; with the consent id it holds at the bank.</summary>
    private async Task<(Guid ConnectionId, string ConsentId)> ActiveConnectionAsync(TestClient client)
    {
        var psu = await _bank.CreatePsuAsync();
        var connection = await StartRedirectAsync(client);
        var callback = await ApproveAtBankAsync(connection, psu);
        using var browser = fixture.App.CreateHttpClient("api", followRedirects: false);
        using var back = await browser.GetAsync(callback);
        Assert.Equal($"{ClientReturn}?connectionId={connection.Id}&outcome=active", back.Headers.Location?.ToString());
        await SeenSecrets.AddTokensAsync(fixture.App, connection.Id);
        return (connection.Id, BankTpp.Query(connection.AuthorisationUrl, "scope")!["AIS:".Length..]);
    }

    private static async Task<string?> StatusAsync(TestClient client, StartedConnection connection) =>
        (await client.Api.GetFromJsonAsync<JsonElement>($"/v1/connections/{connection.Id}")).GetProperty("status").GetString();

    /// <summary>What the bank holds under a token's hash: its kind, its consent, whether it is revoked.</summary>
    private async Task<(string Kind, string ConsentId, bool Revoked)?> BankTokenAsync(string token)
    {
        await using var db = new NpgsqlConnection(fixture.App.GetConnectionString("sandboxdb"));
        await db.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT kind, consent_id, revoked_at IS NOT NULL FROM tokens WHERE token_hash = $1", db)
        {
            Parameters = { new() { Value = SHA256.HashData(Encoding.UTF8.GetBytes(token)) } },
        };
        await using var reader = await command.ExecuteReaderAsync();
        return await reader.ReadAsync() ? (reader.GetString(0), reader.GetString(1), reader.GetBoolean(2)) : null;
    }

    /// <summary>Every row of every table of psd2db as JSON text, bytea columns in hex, as a dump would show them.</summary>
    private async Task<string> DumpPsd2dbAsync()
    {
        await using var db = new NpgsqlConnection(fixture.App.GetConnectionString("psd2db"));
        await db.OpenAsync();
        var tables = new List<string>();
        await using (var list = new NpgsqlCommand("SELECT quote_ident(table_name) FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'", db))
        await using (var reader = await list.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                tables.Add(reader.GetString(0));
            }
        }

        Assert.Contains("connections", tables);
        var dump = new StringBuilder();
        foreach (var table in tables)
        {
            await using var rows = new NpgsqlCommand($"SELECT row_to_json(t)::text FROM {table} t", db);
            await using var reader = await rows.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                dump.AppendLine(reader.GetString(0));
            }
        }

        return dump.ToString();
    }

    private static async Task<string?> CodeAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        try
        {
            var root = JsonDocument.Parse(body).RootElement;
            return root.ValueKind == JsonValueKind.Object && root.TryGetProperty("code", out var code) ? code.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public void Dispose() => _bank.Dispose();

    private sealed record TestClient(HttpClient Api, Guid UserId) : IDisposable
    {
        public void Dispose() => Api.Dispose();
    }

    private sealed record StartedConnection(Guid Id, Uri AuthorisationUrl);

    /// <summary>One operation, "METHOD /v1/route/{param}", sent with each {param} replaced by the id given for its name.</summary>
    private sealed record Probe(string Method, string Route, string Query = "", object? Body = null)
    {
        public string Operation => $"{Method} {Route}";

        public static Probe Of(string operation) => operation.Split(' ') is [var method, var route]
            ? new Probe(method, route, Body: method is "POST" or "PUT" or "PATCH" ? new { } : null)
            : throw new ArgumentException(operation, nameof(operation));

        public HttpRequestMessage Request(Func<string, string> idFor)
        {
            var path = Regex.Replace(Route, "{(?<name>[^}]+)}", parameter => idFor(parameter.Groups["name"].Value));
            return new HttpRequestMessage(new HttpMethod(Method), path + Query) { Content = Body is null ? null : JsonContent.Create(Body) };
        }
    }
}
