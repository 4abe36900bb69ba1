using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Psd2.IntegrationTests.Harness;

namespace Psd2.IntegrationTests.SandboxBank;

/// <summary>
/// Seeded random and hand-picked malformed input against the Berlin Group API: consent bodies, transaction queries
/// and header values. Whatever arrives, the bank answers below 500, in time, and every 4xx under /v1 carries
/// tppMessages with a code. The seed is printed (and named in any failure); BANK_FUZZ_SEED=n replays a run.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class FuzzTests(AppFixture fixture) : IDisposable
{
    private const int Concurrency = 8;
    private const string PsuIp = "192.0.2.30";
    private const int BodyLimit = 64 * 1024;
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);

    private static readonly string[] BadDates =
    [
        "2026-02-30", "9999-99-99", "", " ", "2026-13-01", "2026-00-10", "2026-01-00", "2026-01-32", "0000-01-01", "10000-01-01",
        "2026-1-1", "26-01-01", "2026/01/01", "01.01.2026", "2026-01-01T00:00:00Z", "2026-01-01 ", " 2026-01-01", "2026-W01-1",
        "2026-366", "2025-02-29", "yyyy-MM-dd", "-2026-01-01", "+2026-01-01", "2026-01-01\u0000", "\uff12\uff10\uff12\uff16-01-01",
        "20260101", "2026-01", "2026", "today", "null", "2026-01-01/2026-02-01", "٢٠٢٦-٠١-٠١", "2026-01-0a", "2026--01-01",
    ];

    private static readonly string[] Dates = ["0001-01-01", "1900-01-01", "1970-01-01", "2000-02-29", "2024-02-29", "9999-12-31"];

    private static readonly string[] NumberLiterals =
    [
        "0", "-0", "1", "4", "5", "-1", "4.0", "4.5", "1e0", "4E0", "0.4e1", "1e400", "-1e400", "1e-400", "2147483647", "2147483648",
        "-2147483649", "9223372036854775807", "18446744073709551616", "123456789012345678901234567890123456789", "0.000000000001",
    ];

    private static readonly string[] Words =
    [
        "allAccounts", "allAccountsWithOwnerName", "ALLACCOUNTS", "allAccounts ", "true", "false", "TRUE", "1", "0", "4", "null",
        "booked", "", " ", "\u0000", "' OR '1'='1", "\"; DROP TABLE consents; --", "../../etc/passwd", "%s%s%n", "${jndi:ldap://x}",
        "<script>alert(1)</script>", "\ud83d\ude00", "\u202e", "SE4550000000058398257466", "SEK",
    ];

    private static readonly string[] FieldNames = ["access", "recurringIndicator", "validUntil", "frequencyPerDay", "combinedServiceIndicator"];

    private static readonly string[] AccessNames = ["accounts", "balances", "transactions", "availableAccounts", "availableAccountsWithBalance", "allPsd2", "additionalInformation", "restrictedTo"];

    private static readonly string[] ContentTypes =
    [
        "application/json", "application/json; charset=utf-8", "APPLICATION/JSON", "application/vnd.berlin-group+json", "application/problem+json",
        "text/json", "text/plain", "application/xml", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
        "application/octet-stream", "application/json; charset=utf-16", "application/json; charset=nonsense", "application/json;;;",
        "application/", "/json", "json", "*/*", "application/*", "garbage", "", "application/json, text/plain",
    ];

    private static readonly string[] QueryGarbage =
    [
        "%", "%%", "%zz", "%C0%AF", "%FF%FE", "%00", "%E2%82", "%u0041", "+", "++", "&", "&&", "=", "==", ";", "%26", "%3D", "%2", "a%",
        "%ED%A0%80", "%F4%90%80%80", "%0D%0A", "%09", "%20", "%2525", "%25", "%3F", "%23", "[]", "[0]", "%5B%5D", "bookingStatus",
    ];

    private static readonly string[] BookingStatuses =
    [
        "booked", "pending", "both", "BOOKED", "Booked", "information", "all", "", " booked", "booked ", "booked,pending", "booked pending",
        "boo", "bookedd", "null", "true", "1", "\u0000", "b\u00f6oked", "*", "pending;", "both\u200b",
    ];

    private static readonly string[] Flags = ["true", "false", "TRUE", "False", "1", "0", "yes", "", " ", "null", "true ", "t", "truefalse"];

    private readonly BankTpp _bank = new(fixture.App);

    [Fact]
    public async Task MalformedConsentRequestsAreRefusedWithTppMessagesNeverAServerError()
    {
        var seed = Seed();
        var random = new Random(seed);
        var today = await TodayAsync();
        var phonePsu = await _bank.CreatePsuAsync("Manual", accounts: 1);

        var cases = HandPickedConsentCases(today, phonePsu.PersonalNumber).ToList();
        while (cases.Count < 1600)
        {
            cases.Add(RandomConsentCase(random, today, phonePsu.PersonalNumber));
        }

        var statuses = await RunAsync("consent requests", seed, cases);

        Assert.Contains(201, statuses.Keys);
        Assert.Contains(400, statuses.Keys);
    }

    [Fact]
    public async Task BodyRefusedUnreadLeavesItsConnectionUsableOrAnnouncesItsClose()
    {
        // One connection at most, counted: a connection the bank answers on with keep-alive must serve the next request.
        var certificates = fixture.App.Certificates;
        using var ca = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(certificates.CaCertificate));
        using var qwac = X509Certificate2.CreateFromPemFile(certificates.TppQwacCertificate, certificates.TppQwacKey);
        var connections = 0;
        using var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = 1,
            SslOptions = new SslClientAuthenticationOptions
            {
                CertificateChainPolicy = new X509ChainPolicy
                {
                    TrustMode = X509ChainTrustMode.CustomRootTrust, CustomTrustStore = { ca }, RevocationMode = X509RevocationMode.NoCheck,
                },
                ClientCertificates = [qwac],
            },
            ConnectCallback = async (context, cancellationToken) =>
            {
                Interlocked.Increment(ref connections);
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        using var client = new HttpClient(new SigningHandler(_bank.Signer) { InnerHandler = handler }, disposeHandler: false)
        {
            BaseAddress = fixture.App.GetEndpoint("sandboxbank", "https"), Timeout = RequestTimeout,
        };

        // Over the 64 KiB body limit, and refused for its content type before any of it is read.
        using var refused = await client.SendAsync(ConsentRequest(Encoding.ASCII.GetBytes(new string('x', 100_000)), "text/plain", null));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal("FORMAT_ERROR", await BankTpp.TppCodeAsync(refused));

        var next = new HttpRequestMessage(HttpMethod.Get, "/v1/consents/no-such-consent");
        next.Headers.Add("X-Request-ID", Guid.NewGuid().ToString());
        using var answered = await client.SendAsync(next);
        Assert.Equal(HttpStatusCode.Forbidden, answered.StatusCode);
        if (refused.Headers.ConnectionClose != true)
        {
            Assert.True(connections == 1, $"The bank answered with keep-alive, then dropped the connection: {connections} connections for two requests.");
        }
    }

    [Fact]
    public async Task MalformedTransactionQueriesAreRefusedWithTppMessagesNeverAServerError()
    {
        var seed = Seed();
        var random = new Random(seed);
        var today = await TodayAsync();
        var psu = await _bank.CreatePsuAsync(accounts: 2);
        var connection = await _bank.ConnectAsync(psu, BankTpp.AllAccountsConsent(frequencyPerDay: 4));
        var pageKeys = new List<string>();
        foreach (var accountId in psu.AccountIds)
        {
            using var first = await _bank.GetAsync(
                $"/v1/accounts/{accountId}/transactions?bookingStatus=booked&dateFrom={Day(today.AddYears(-3))}", connection.ConsentId, connection.AccessToken, PsuIp);
            var body = await first.Content.ReadAsStringAsync();
            Assert.True(first.StatusCode == HttpStatusCode.OK, $"seed {seed}: the first page answered {(int)first.StatusCode}: {body}");
            var links = JsonDocument.Parse(body).RootElement.GetProperty("transactions").GetProperty("_links");
            if (links.TryGetProperty("next", out var next))
            {
                pageKeys.Add(BankTpp.Query(new Uri(new Uri("https://bank.example"), next.GetProperty("href").GetString()), "pageKey")!);
            }
        }

        Assert.True(pageKeys.Count > 0, $"seed {seed}: no account of the PSU had a second page of transactions");
        var cases = new List<FuzzCase>();
        while (cases.Count < 1300)
        {
            var accountId = random.Next(5) == 0 ? psu.AccountIds[1] : psu.AccountIds[0];
            string query;
            do
            {
                query = RandomTransactionQuery(random, today, pageKeys);
            }
            while (query.Length > 7000);

            cases.Add(TransactionCase($"/v1/accounts/{accountId}/transactions?{query}", connection));
        }

        // Past the HTTP server's 8 KiB request line: refused with 414 before the request reaches the bank's code.
        foreach (var length in new[] { 8200, 9000, 16_000, 64_000 })
        {
            cases.Add(TransactionCase($"/v1/accounts/{psu.AccountIds[0]}/transactions?bookingStatus=booked&dateFrom={Day(today)}&pageKey={new string('A', length)}", connection) with { OverlongTarget = true });
        }

        var statuses = await RunAsync("transaction queries", seed, cases);

        var seen = $"seed {seed}: statuses seen {string.Join(", ", statuses.Keys)}";
        Assert.True(statuses.ContainsKey(200), seen);
        Assert.True(statuses.ContainsKey(400), seen);
    }

    [Fact]
    public async Task RandomHeaderValuesAreRefusedWithTppMessagesNeverAServerError()
    {
        var seed = Seed();
        var random = new Random(seed);
        var psu = await _bank.CreatePsuAsync(accounts: 1);
        var connection = await _bank.ConnectAsync(psu, BankTpp.AllAccountsConsent(frequencyPerDay: 4));
        string[] paths = ["/v1/accounts", $"/v1/accounts/{psu.AccountIds[0]}/balances", $"/v1/accounts/{psu.AccountIds[0]}/transactions?bookingStatus=pending"];

        var cases = new List<FuzzCase>();
        while (cases.Count < 400)
        {
            var headers = new Dictionary<string, string?>
            {
                ["X-Request-ID"] = Guid.NewGuid().ToString(),
                ["Consent-ID"] = connection.ConsentId,
                ["Authorization"] = "Bearer " + connection.AccessToken,
                ["PSU-IP-Address"] = random.Next(2) == 0 ? PsuIp : null,
            };
            var changed = new List<string>();
            for (var i = random.Next(1, 4); i > 0; i--)
            {
                var name = Pick(random, headers.Keys.ToArray());
                headers[name] = RandomHeaderValue(random, name, connection);
                changed.Add(name);
            }

            var path = Pick(random, paths);
            var fixedHeaders = headers.Where(h => h.Value is not null).ToDictionary(h => h.Key, h => h.Value!);
            var description = $"GET {path} " + string.Join(" ", changed.Distinct().Select(n => $"{n}: {Excerpt(headers[n] ?? "(absent)")}"));
            cases.Add(new FuzzCase(description, () =>
            {
                var request = new HttpRequestMessage(HttpMethod.Get, path);
                foreach (var (name, value) in fixedHeaders)
                {
                    request.Headers.TryAddWithoutValidation(name, value);
                }

                return request;
            }));
        }

        await RunAsync("header values", seed, cases);
    }

    /// <summary>Sends every case, <see cref="Concurrency"/> at a time, and fails with the offending ones; returns the count per status.</summary>
    private async Task<IReadOnlyDictionary<int, int>> RunAsync(string part, int seed, IReadOnlyList<FuzzCase> cases)
    {
        var failures = new ConcurrentQueue<string>();
        var statuses = new ConcurrentDictionary<int, int>();
        var closedWhileSending = 0;
        var watch = Stopwatch.StartNew();
        await Parallel.ForEachAsync(cases, new ParallelOptions { MaxDegreeOfParallelism = Concurrency }, async (fuzzCase, _) =>
        {
            using var timeout = new CancellationTokenSource(RequestTimeout);
            using var request = fuzzCase.Build();
            try
            {
                using var response = await _bank.Tpp.SendAsync(request, timeout.Token);
                var body = await response.Content.ReadAsStringAsync(timeout.Token);
                var status = (int)response.StatusCode;
                statuses.AddOrUpdate(status, 1, (_, count) => count + 1);
                if (!(status == 414 && fuzzCase.OverlongTarget) && Problem(request, status, body) is { } problem)
                {
                    failures.Enqueue($"{Excerpt(fuzzCase.Description, 400)}\n    -> {problem}");
                }
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested)
            {
                failures.Enqueue($"{Excerpt(fuzzCase.Description, 400)}\n    -> no response within {RequestTimeout.TotalSeconds:0} s");
            }
            catch (HttpRequestException) when (fuzzCase.OverLimit)
            {
                Interlocked.Increment(ref closedWhileSending);
            }
            catch (HttpRequestException e)
            {
                failures.Enqueue($"{Excerpt(fuzzCase.Description, 400)}\n    -> {e.GetType().Name}: {e.Message} {e.InnerException?.Message}");
            }
        });
        watch.Stop();

        var histogram = string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}: {s.Value}"));
        Console.WriteLine($"Fuzz {part}: {cases.Count} cases, seed {seed}, {watch.Elapsed.TotalSeconds:0.0} s, statuses {histogram}"
            + (closedWhileSending > 0 ? $", {closedWhileSending} over-limit bodies cut off by the bank closing the connection" : ""));
        Assert.True(failures.IsEmpty,
            $"{part}: {failures.Count} of {cases.Count} cases failed (seed {seed}; BANK_FUZZ_SEED={seed} replays it):\n{string.Join("\n", failures.Take(25))}");
        return statuses;
    }

    private static string? Problem(HttpRequestMessage request, int status, string body)
    {
        if (status >= 500)
        {
            return $"status {status}: {Excerpt(body)}";
        }

        if (status < 400 || request.RequestUri?.AbsolutePath.StartsWith("/v1", StringComparison.Ordinal) != true)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object
                && root.TryGetProperty("tppMessages", out var messages) && messages.ValueKind == JsonValueKind.Array && messages.GetArrayLength() > 0
                && messages[0].ValueKind == JsonValueKind.Object && messages[0].TryGetProperty("code", out var code)
                && code.ValueKind == JsonValueKind.String && !string.IsNullOrEmpty(code.GetString()))
            {
                return null;
            }
        }
        catch (JsonException)
        {
            // Reported below with the body.
        }

        return $"status {status} without a tppMessages code: {Excerpt(body)}";
    }

    // ---- Consent requests ----

    private static IEnumerable<FuzzCase> HandPickedConsentCases(DateOnly today, string phonePsu)
    {
        var valid = ConsentJson(ValidConsentFields(today));
        var utf8 = Encoding.UTF8;
        var raw = new (string Description, byte[] Body)[]
        {
            ("empty", []),
            ("space", utf8.GetBytes(" ")),
            ("null", utf8.GetBytes("null")),
            ("array", utf8.GetBytes("[]")),
            ("empty object", utf8.GetBytes("{}")),
            ("string", utf8.GetBytes("\"consent\"")),
            ("number", utf8.GetBytes("42")),
            ("true", utf8.GetBytes("true")),
            ("open brace", utf8.GetBytes("{")),
            ("close brace", utf8.GetBytes("}")),
            ("missing value", utf8.GetBytes("{\"access\":}")),
            ("single quotes", utf8.GetBytes("{'access': {'allPsd2': 'allAccounts'}}")),
            ("unquoted keys", utf8.GetBytes("{access: {allPsd2: \"allAccounts\"}}")),
            ("extra brace", utf8.GetBytes(valid + "}")),
            ("trailing garbage", utf8.GetBytes(valid + "garbage")),
            ("two documents", utf8.GetBytes(valid + valid)),
            ("comment", utf8.GetBytes("/* c */" + valid)),
            ("line comment", utf8.GetBytes("// c\n" + valid)),
            ("trailing comma", utf8.GetBytes(valid[..^1] + ",}")),
            ("NaN", utf8.GetBytes(valid.Replace("\"frequencyPerDay\":4", "\"frequencyPerDay\":NaN", StringComparison.Ordinal))),
            ("Infinity", utf8.GetBytes(valid.Replace("\"frequencyPerDay\":4", "\"frequencyPerDay\":Infinity", StringComparison.Ordinal))),
            ("hex number", utf8.GetBytes(valid.Replace("\"frequencyPerDay\":4", "\"frequencyPerDay\":0x4", StringComparison.Ordinal))),
            ("leading zero", utf8.GetBytes(valid.Replace("\"frequencyPerDay\":4", "\"frequencyPerDay\":04", StringComparison.Ordinal))),
            ("BOM", [.. utf8.GetPreamble(), .. utf8.GetBytes(valid)]),
            ("double BOM", [.. utf8.GetPreamble(), .. utf8.GetPreamble(), .. utf8.GetBytes(valid)]),
            ("UTF-16LE", Encoding.Unicode.GetBytes(valid)),
            ("UTF-16LE with BOM", [.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes(valid)]),
            ("UTF-16BE", Encoding.BigEndianUnicode.GetBytes(valid)),
            ("UTF-32", Encoding.UTF32.GetBytes(valid)),
            ("Latin-1 string", Encoding.Latin1.GetBytes(valid.Replace("allAccounts", "allAcc\u00f6unts", StringComparison.Ordinal))),
            ("invalid UTF-8 in value", [.. utf8.GetBytes("{\"access\":{\"allPsd2\":\""), 0xC0, 0xAF, 0xFF, .. utf8.GetBytes("\"}}")]),
            ("invalid UTF-8 in unknown field", [.. utf8.GetBytes(valid[..^1] + ",\"x\":\""), 0xED, 0xA0, 0x80, 0xFE, .. utf8.GetBytes("\"}")]),
            ("invalid UTF-8 in key", [.. utf8.GetBytes("{\""), 0xFF, 0xFE, .. utf8.GetBytes("\":1}")]),
            ("NUL byte", [.. utf8.GetBytes(valid[..10]), 0, .. utf8.GetBytes(valid[10..])]),
            ("escaped NUL in every field", utf8.GetBytes(valid.Replace("\":\"", "\":\"\\u0000", StringComparison.Ordinal))),
            ("lone surrogate escape", utf8.GetBytes("{\"access\":{\"allPsd2\":\"\\ud800\"},\"recurringIndicator\":true}")),
            ("reversed surrogates", utf8.GetBytes("{\"access\":{\"allPsd2\":\"\\udc00\\ud800\"}}")),
            ("bad escape", utf8.GetBytes("{\"access\":{\"allPsd2\":\"\\x41\"}}")),
            ("unterminated string", utf8.GetBytes("{\"access\":{\"allPsd2\":\"allAccounts")),
            ("control character in string", utf8.GetBytes("{\"access\":{\"allPsd2\":\"all\nAccounts\"}}")),
            ("whitespace only", utf8.GetBytes(" \t\r\n ")),
            ("form body", utf8.GetBytes("access=allAccounts&recurringIndicator=true")),
            ("XML", utf8.GetBytes("<consent><access>allAccounts</access></consent>")),
        };
        foreach (var (description, body) in raw)
        {
            yield return ConsentCase(description, body, "application/json");
        }

        foreach (var depth in new[] { 10, 62, 63, 64, 65, 100, 1000, 20_000 })
        {
            yield return ConsentCase($"arrays nested {depth} deep", Encoding.ASCII.GetBytes(new string('[', depth) + new string(']', depth)), "application/json");
            yield return ConsentCase($"objects nested {depth} deep in an unknown field",
                Encoding.ASCII.GetBytes(valid[..^1] + ",\"x\":" + string.Concat(Enumerable.Repeat("{\"a\":", depth)) + "1" + new string('}', depth) + "}"), "application/json");
            yield return ConsentCase($"access nested {depth} deep",
                Encoding.ASCII.GetBytes("{\"access\":" + string.Concat(Enumerable.Repeat("{\"accounts\":[", depth)) + "null" + string.Concat(Enumerable.Repeat("]}", depth)) + "}"), "application/json");
        }

        // Around the 64 KiB body limit, and well past it.
        foreach (var size in new[] { 60_000, 65_000, 65_536, 70_000, 300_000, 2_000_000 })
        {
            var padding = Math.Max(0, size - valid.Length - 8);
            yield return ConsentCase($"{size} bytes of padding", Encoding.ASCII.GetBytes(valid[..^1] + ",\"x\":\"" + new string('x', padding) + "\"}"), "application/json");
        }

        yield return ConsentCase("5000 unknown fields", Encoding.ASCII.GetBytes(valid[..^1] + string.Concat(Enumerable.Range(0, 5000).Select(i => $",\"f{i}\":{i}")) + "}"), "application/json");
        yield return ConsentCase("the same field 3000 times", Encoding.ASCII.GetBytes(valid[..^1] + string.Concat(Enumerable.Repeat(",\"frequencyPerDay\":4", 3000)) + "}"), "application/json");
        foreach (var count in new[] { 99, 100, 101, 1000 })
        {
            var references = string.Join(",", Enumerable.Range(0, count).Select(i => $"{{\"iban\":\"SE45500000000583982{i % 100000:00000}\"}}"));
            yield return ConsentCase($"{count} account references",
                Encoding.ASCII.GetBytes(valid.Replace("{\"allPsd2\":\"allAccounts\"}", $"{{\"accounts\":[{references}],\"balances\":[{references}]}}", StringComparison.Ordinal)), "application/json");
        }

        foreach (var contentType in ContentTypes)
        {
            yield return ConsentCase($"valid body as {contentType}", Encoding.UTF8.GetBytes(valid), contentType);
        }

        yield return ConsentCase("valid body without a content type", Encoding.UTF8.GetBytes(valid), null);
        yield return ConsentCase("UTF-16 body declared as UTF-16", Encoding.Unicode.GetBytes(valid), "application/json; charset=utf-16");
        yield return ConsentCase("empty body without a content type", [], null);
        yield return new FuzzCase("POST /v1/consents without any content", () => ConsentRequest(null, null, null));

        foreach (var date in BadDates.Concat(Dates))
        {
            var fields = ValidConsentFields(today);
            Set(fields, "validUntil", Quote(date));
            yield return ConsentCase($"validUntil {Excerpt(date)}", Encoding.UTF8.GetBytes(ConsentJson(fields)), "application/json");
        }

        foreach (var number in NumberLiterals)
        {
            var fields = ValidConsentFields(today);
            Set(fields, "frequencyPerDay", number);
            yield return ConsentCase($"frequencyPerDay {number}", Encoding.UTF8.GetBytes(ConsentJson(fields)), "application/json");
        }

        var headerCases = new (string Name, string Value)[]
        {
            ("TPP-Redirect-URI", "http://tpp.example/callback"), ("TPP-Redirect-URI", "javascript:alert(1)"), ("TPP-Redirect-URI", "/callback"),
            ("TPP-Redirect-URI", "https://tpp.example/callback#fragment"), ("TPP-Redirect-URI", "https://tpp.example/" + new string('a', 3000)),
            ("TPP-Redirect-URI", ""), ("TPP-Redirect-URI", "https://"), ("TPP-Redirect-URI", "https://[::1"), ("TPP-Redirect-URI", "http://localhost/cb"),
            ("TPP-Nok-Redirect-URI", "ftp://tpp.example/nok"), ("TPP-Nok-Redirect-URI", "https://tpp.example/nok?x=%zz"),
            ("PSU-ID", ""), ("PSU-ID", "19900101-0017"), ("PSU-ID", "199001010017"), ("PSU-ID", "1990010100170"), ("PSU-ID", "abcdefghijkl"), ("PSU-ID", new string('9', 500)),
            ("TPP-Decoupled-Preferred", "true"), ("TPP-Decoupled-Preferred", "TRUE"), ("TPP-Decoupled-Preferred", "yes"), ("TPP-Decoupled-Preferred", ""),
            ("TPP-Redirect-Preferred", "false"), ("TPP-Redirect-Preferred", "nope"),
        };
        foreach (var (name, value) in headerCases)
        {
            yield return ConsentCase($"{name}: {Excerpt(value)}", Encoding.UTF8.GetBytes(valid), "application/json", new Dictionary<string, string> { [name] = value });
        }

        yield return ConsentCase("decoupled for a known PSU", Encoding.UTF8.GetBytes(valid), "application/json",
            new Dictionary<string, string> { ["PSU-ID"] = phonePsu, ["TPP-Decoupled-Preferred"] = "true" });
        yield return ConsentCase("redirect refused for a known PSU", Encoding.UTF8.GetBytes(valid), "application/json",
            new Dictionary<string, string> { ["PSU-ID"] = phonePsu, ["TPP-Redirect-Preferred"] = "false" });
    }

    private static FuzzCase RandomConsentCase(Random random, DateOnly today, string phonePsu)
    {
        string text;
        if (random.Next(12) == 0)
        {
            text = RandomJson(random, 0);
        }
        else
        {
            var fields = ValidConsentFields(today);
            for (var i = random.Next(1, 4); i > 0; i--)
            {
                MutateConsent(random, fields, today);
            }

            text = ConsentJson(fields);
        }

        byte[] body;
        switch (random.Next(20))
        {
            case 0:
                body = RandomBytes(random, random.Next(1, 2000));
                text = "(random bytes)";
                break;
            case 1:
                body = Encoding.UTF8.GetBytes(text[..random.Next(text.Length + 1)]);
                text = "(truncated) " + text;
                break;
            default:
                body = Encoding.UTF8.GetBytes(text);
                break;
        }

        var contentType = random.Next(10) == 0 ? Pick(random, ContentTypes) : "application/json";
        Dictionary<string, string>? headers = null;
        if (random.Next(10) == 0)
        {
            headers = random.Next(4) switch
            {
                0 => new() { ["PSU-ID"] = phonePsu, ["TPP-Decoupled-Preferred"] = Pick(random, Flags) },
                1 => new() { ["PSU-ID"] = RandomPersonalNumber(random), ["TPP-Decoupled-Preferred"] = "true" },
                2 => new() { ["TPP-Redirect-URI"] = RandomAscii(random, 0, 200) },
                _ => new() { ["TPP-Redirect-Preferred"] = Pick(random, Flags), ["PSU-ID"] = random.Next(2) == 0 ? phonePsu : RandomAscii(random, 0, 20) },
            };
        }

        var description = $"[{contentType}]{(headers is null ? "" : " " + string.Join(" ", headers.Select(h => $"{h.Key}: {Excerpt(h.Value)}")))} {Excerpt(text)}";
        return ConsentCase(description, body, contentType, headers);
    }

    private static void MutateConsent(Random random, List<KeyValuePair<string, string>> fields, DateOnly today)
    {
        var name = Pick(random, FieldNames);
        switch (random.Next(11))
        {
            case 0:
                Set(fields, name, RandomJson(random, 0));
                break;
            case 1:
                fields.RemoveAll(f => f.Key == name);
                break;
            case 2:
                fields.Add(new(random.Next(2) == 0 ? RandomString(random, 30) : Pick(random, ["ACCESS", "access ", "consentId", "__proto__", "$type", "$ref", "", "validuntil"]), RandomJson(random, 0)));
                break;
            case 3:
                Set(fields, "validUntil", Quote(random.Next(3) switch
                {
                    0 => Pick(random, BadDates),
                    1 => Pick(random, Dates),
                    _ => Day(today.AddDays(random.Next(-400, 400))),
                }));
                break;
            case 4:
                Set(fields, "frequencyPerDay", Pick(random, NumberLiterals));
                break;
            case 5:
                Set(fields, "access", RandomAccess(random));
                break;
            case 6:
                fields.Add(new(name, RandomJson(random, 0)));
                break;
            case 7:
                Set(fields, random.Next(2) == 0 ? name : "padding", Quote(new string(Pick(random, ['x', '\u00e5', '"', '\\', '\u0001']), random.Next(1000, 30_000))));
                break;
            case 8:
                var depth = random.Next(1, 200);
                Set(fields, name, random.Next(2) == 0
                    ? new string('[', depth) + "1" + new string(']', depth)
                    : string.Concat(Enumerable.Repeat("{\"a\":", depth)) + "1" + new string('}', depth));
                break;
            case 9:
                Set(fields, Pick(random, ["recurringIndicator", "combinedServiceIndicator"]), Pick(random, ["\"true\"", "1", "0", "null", "\"\"", "[]", "{}", "tru", "TRUE", "true"]));
                break;
            default:
                Set(fields, "recurringIndicator", random.Next(2) == 0 ? "false" : "true");
                Set(fields, "frequencyPerDay", random.Next(0, 6).ToString(CultureInfo.InvariantCulture));
                break;
        }
    }

    private static string RandomAccess(Random random)
    {
        if (random.Next(8) == 0)
        {
            return RandomJson(random, 0);
        }

        var members = new List<string>();
        for (var i = random.Next(0, 4); i > 0; i--)
        {
            var name = Pick(random, AccessNames);
            var value = name is "accounts" or "balances" or "transactions" or "additionalInformation"
                ? RandomReferences(random)
                : random.Next(4) == 0 ? RandomJson(random, 1) : Quote(Pick(random, Words));
            members.Add($"{Quote(name)}:{value}");
        }

        return "{" + string.Join(",", members) + "}";
    }

    private static string RandomReferences(Random random)
    {
        var count = random.Next(10) == 0 ? Pick(random, [0, 99, 100, 101, 150]) : random.Next(0, 4);
        var references = Enumerable.Range(0, count).Select(_ => random.Next(6) switch
        {
            0 => "null",
            1 => RandomJson(random, 2),
            2 => $"{{\"bban\":{Quote(RandomAscii(random, 0, 40))}}}",
            _ => $"{{\"iban\":{RandomIban(random)}{(random.Next(2) == 0 ? "" : ",\"currency\":" + Pick(random, ["\"SEK\"", "\"EUR\"", "\"sek\"", "\"EURO\"", "\"\"", "123", "null", "\"\u00c5\u00c4\u00d6\""]))}}}",
        });
        return "[" + string.Join(",", references) + "]";
    }

    private static string RandomIban(Random random) => random.Next(6) switch
    {
        0 => "null",
        1 => random.Next(100).ToString(CultureInfo.InvariantCulture),
        2 => Quote(RandomString(random, 40)),
        3 => Quote("SE" + RandomDigits(random, random.Next(0, 40))),
        4 => Quote("se45 5000 0000 0583 9825 7466"),
        _ => Quote("SE" + RandomDigits(random, 22)),
    };

    private static List<KeyValuePair<string, string>> ValidConsentFields(DateOnly today) =>
    [
        new("access", "{\"allPsd2\":\"allAccounts\"}"),
        new("recurringIndicator", "true"),
        new("validUntil", Quote(Day(today.AddDays(30)))),
        new("frequencyPerDay", "4"),
        new("combinedServiceIndicator", "false"),
    ];

    private static string ConsentJson(List<KeyValuePair<string, string>> fields) =>
        "{" + string.Join(",", fields.Select(f => $"{Quote(f.Key)}:{f.Value}")) + "}";

    private static void Set(List<KeyValuePair<string, string>> fields, string name, string json)
    {
        var index = fields.FindIndex(f => f.Key == name);
        if (index < 0)
        {
            fields.Add(new(name, json));
        }
        else
        {
            fields[index] = new(name, json);
        }
    }

    private static FuzzCase ConsentCase(string description, byte[] body, string? contentType, IReadOnlyDictionary<string, string>? headers = null) =>
        new($"POST /v1/consents {description}", () => ConsentRequest(body, contentType, headers), body.Length > BodyLimit);

    private static HttpRequestMessage ConsentRequest(byte[]? body, string? contentType, IReadOnlyDictionary<string, string>? headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/consents");
        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
            if (contentType is not null)
            {
                request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
            }
        }

        request.Headers.Add("X-Request-ID", Guid.NewGuid().ToString());
        request.Headers.Add("TPP-Redirect-URI", BankTpp.RedirectUri);
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            request.Headers.Remove(name);
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return request;
    }

    // ---- Transaction queries ----

    private static string RandomTransactionQuery(Random random, DateOnly today, IReadOnlyList<string> pageKeys)
    {
        var parameters = new List<(string Name, string? Value, bool Raw)>
        {
            ("bookingStatus", Pick(random, ["booked", "pending", "both"]), false),
            ("dateFrom", Day(today.AddDays(-random.Next(0, 120))), false),
        };
        if (random.Next(3) == 0)
        {
            parameters.Add(("dateTo", Day(today.AddDays(-random.Next(0, 30))), false));
        }

        if (random.Next(4) == 0)
        {
            parameters.Add(("withBalance", "true", false));
        }

        for (var i = random.Next(1, 4); i > 0; i--)
        {
            switch (random.Next(13))
            {
                case 0:
                    Replace(parameters, "bookingStatus", random.Next(3) == 0 ? RandomString(random, 20, surrogates: false) : Pick(random, BookingStatuses));
                    break;
                case 1:
                case 2:
                    Replace(parameters, Pick(random, ["dateFrom", "dateTo"]), random.Next(3) switch
                    {
                        0 => Pick(random, BadDates),
                        1 => Pick(random, Dates),
                        _ => Day(today.AddDays(random.Next(-5000, 5000))),
                    });
                    break;
                case 3:
                    // Reversed period.
                    Replace(parameters, "dateFrom", Day(today.AddDays(-random.Next(0, 10))));
                    Replace(parameters, "dateTo", Day(today.AddDays(-random.Next(11, 60))));
                    break;
                case 4:
                    Replace(parameters, "withBalance", Pick(random, Flags));
                    break;
                case 5:
                case 6:
                    Replace(parameters, "pageKey", RandomPageKey(random, pageKeys));
                    break;
                case 7:
                    parameters.Add((Pick(random, ["deltaList", "entryReferenceFrom", "DeltaList"]), Pick(random, Flags.Concat(["20260101", RandomAscii(random, 0, 30)]).ToArray()), false));
                    break;
                case 8 when parameters.Count > 0:
                    var (name, value, raw) = Pick(random, parameters.ToArray());
                    parameters.Add((name, random.Next(2) == 0 ? value : RandomAscii(random, 0, 20), raw));
                    break;
                case 9:
                    parameters.Add((RandomAscii(random, 0, 20), random.Next(4) == 0 ? null : RandomAscii(random, 0, 40), false));
                    break;
                case 10:
                    // Long, but within the HTTP server's 8 KiB request line once escaped (é takes six characters, % three).
                    var filler = Pick(random, ['a', '1', '-', '%', '\u00e9']);
                    var width = Uri.EscapeDataString(filler.ToString()).Length;
                    Replace(parameters, Pick(random, ["bookingStatus", "dateFrom", "dateTo", "pageKey", "withBalance"]), new string(filler, random.Next(500, 5000) / width));
                    break;
                case 11 when parameters.Count > 0:
                    var garbage = string.Concat(Enumerable.Range(0, random.Next(1, 4)).Select(_ => Pick(random, QueryGarbage)));
                    var at = random.Next(parameters.Count);
                    parameters[at] = random.Next(2) == 0
                        ? (parameters[at].Name, garbage + parameters[at].Value, true)
                        : (garbage + parameters[at].Name, parameters[at].Value, true);
                    break;
                default:
                    if (parameters.Count > 0)
                    {
                        parameters.RemoveAt(random.Next(parameters.Count));
                    }

                    break;
            }
        }

        return string.Join("&", parameters.Select(p =>
            (p.Raw ? p.Name : Uri.EscapeDataString(p.Name)) + (p.Value is null ? "" : "=" + (p.Raw ? p.Value : Uri.EscapeDataString(p.Value)))));
    }

    private static void Replace(List<(string Name, string? Value, bool Raw)> parameters, string name, string value)
    {
        parameters.RemoveAll(p => p.Name == name);
        parameters.Add((name, value, false));
    }

    private static string RandomPageKey(Random random, IReadOnlyList<string> pageKeys)
    {
        var real = Pick(random, pageKeys.ToArray());
        var dot = real.IndexOf('.', StringComparison.Ordinal);
        switch (random.Next(10))
        {
            case 0:
                return real;
            case 1:
                return real[..random.Next(real.Length)];
            case 2:
                // One character of the payload or of the MAC changed.
                var chars = real.ToCharArray();
                var at = random.Next(chars.Length);
                chars[at] = chars[at] == 'A' ? 'B' : 'A';
                return new string(chars);
            case 3:
                // The payload re-encoded with another page number, the MAC kept.
                var payload = Encoding.UTF8.GetString(Convert.FromBase64String(Pad(real[..dot].Replace('-', '+').Replace('_', '/'))));
                var parts = payload.Split('|');
                parts[random.Next(parts.Length)] = Pick(random, ["99", "-1", "0", "2147483648", "9999-12-31", "x", "", "booked", "1|2"]);
                return BankTpp.Base64Url(Encoding.UTF8.GetBytes(string.Join('|', parts))) + real[dot..];
            case 4:
                return BankTpp.Base64Url(RandomBytes(random, random.Next(0, 200))) + "." + BankTpp.Base64Url(RandomBytes(random, random.Next(0, 32)));
            case 5:
                return Convert.ToBase64String(RandomBytes(random, random.Next(0, 300)));
            case 6:
                return real + Pick(random, [".", "=", "==", ".x", "a", " ", "\u00e9", "%"]);
            case 7:
                return Pick(random, ["", ".", "..", "...", "a.b.c", "=", "====.====", "-_-_.-_-_", real[dot..], real[..dot], real[..dot] + "."]);
            case 8:
                return new string('A', random.Next(1000, 1100)) + "." + new string('A', 22);
            default:
                return RandomAscii(random, 0, 100);
        }
    }

    private static string Pad(string base64) => base64 + new string('=', (4 - base64.Length % 4) % 4);

    private static FuzzCase TransactionCase(string path, Connection connection) => new($"GET {path}", () =>
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("X-Request-ID", Guid.NewGuid().ToString());
        request.Headers.Add("Consent-ID", connection.ConsentId);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", connection.AccessToken);
        request.Headers.Add("PSU-IP-Address", PsuIp);
        return request;
    });

    // ---- Header values ----

    private static string? RandomHeaderValue(Random random, string name, Connection connection)
    {
        if (random.Next(10) == 0)
        {
            return null;
        }

        if (random.Next(4) == 0)
        {
            return RandomAscii(random, 0, random.Next(5) == 0 ? 2000 : 60);
        }

        // From the seeded generator, so that a replay sends the same values.
        var guid = new Guid(RandomBytes(random, 16));
        var other = new Guid(RandomBytes(random, 16));
        var token = connection.AccessToken;
        return name switch
        {
            "X-Request-ID" => Pick(random,
            [
                guid.ToString("B"), guid.ToString("N"), guid.ToString("P"), guid.ToString().ToUpperInvariant(), guid + "x", " " + guid + " ",
                guid + ", " + other, guid.ToString()[..35], "00000000-0000-0000-0000-000000000000", "", new string('a', 36),
                guid.ToString().Replace('-', '_'), "{" + guid + "}", guid.ToString("X"),
            ]),
            "Consent-ID" => Pick(random,
            [
                connection.ConsentId + "x", connection.ConsentId.ToUpperInvariant(), connection.ConsentId[..^1], " " + connection.ConsentId + " ",
                new string('a', 100), new string('a', 101), "", "' OR '1'='1", "%00", "../../v1/accounts", "null", connection.ConsentId + "," + connection.ConsentId,
                "\\u0000", "*", "%", new string('0', 32),
            ]),
            "PSU-IP-Address" => Pick(random,
            [
                "192.0.2.1", "::1", "2001:db8::1", "256.0.0.1", "1.2.3", "1", "0x7f.1", "::ffff:1.2.3.4", "fe80::1%eth0", "1.2.3.4, 5.6.7.8",
                "", "localhost", "1.2.3.4:80", "[::1]", "01.02.03.004", new string('1', 500), "192.0.2.1 ",
            ]),
            _ => Pick(random,
            [
                "Bearer", "Bearer ", "bearer " + token, "BEARER " + token, "Bearer  " + token, token, "Basic " + token, "Bearer " + token + " extra",
                "Bearer " + token + "x", "Bearer " + token[..^1], "Bearer " + new string('A', 193), "Bearer " + new string('A', 300), "Bearer\t" + token,
                "Bearer " + token + ", Bearer " + token, "Bearer null", "Bearer %00", "Bearer " + RandomAscii(random, 0, 80), "Digest x", "",
            ]),
        };
    }

    // ---- Random values ----

    /// <summary>Random JSON text, raw number literals included (1e400, -0, 40-digit integers), which a serializer would never write.</summary>
    private static string RandomJson(Random random, int depth) => random.Next(depth >= 3 ? 8 : 10) switch
    {
        0 => "null",
        1 => random.Next(2) == 0 ? "true" : "false",
        2 => Pick(random, NumberLiterals),
        3 => random.Next(int.MinValue, int.MaxValue).ToString(CultureInfo.InvariantCulture),
        4 => Quote(RandomString(random, 40)),
        5 => Quote(Pick(random, BadDates.Concat(Dates).ToArray())),
        6 => Quote(Pick(random, Words)),
        7 => (random.NextDouble() * Math.Pow(10, random.Next(-20, 300))).ToString("R", CultureInfo.InvariantCulture),
        8 => "[" + string.Join(",", Enumerable.Range(0, random.Next(0, 5)).Select(_ => RandomJson(random, depth + 1))) + "]",
        _ => "{" + string.Join(",", Enumerable.Range(0, random.Next(0, 5)).Select(_ =>
            Quote(random.Next(2) == 0 ? Pick(random, FieldNames.Concat(AccessNames).ToArray()) : RandomString(random, 12)) + ":" + RandomJson(random, depth + 1))) + "}",
    };

    private static string RandomString(Random random, int maxLength, bool surrogates = true)
    {
        var chars = new char[random.Next(maxLength + 1)];
        var alphabet = random.Next(surrogates ? 5 : 4);
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i] = alphabet switch
            {
                0 => (char)random.Next(0x20, 0x7F),
                1 => (char)random.Next(0, 0x20),
                2 => (char)random.Next(0xA0, 0x800),
                3 => "0123456789-"[random.Next(11)],
                _ => (char)random.Next(0xD800, 0xE000),
            };
        }

        return new string(chars);
    }

    /// <summary>Printable ASCII only: what HttpClient will put on the wire in a header or query.</summary>
    private static string RandomAscii(Random random, int minLength, int maxLength)
    {
        var chars = new char[random.Next(minLength, maxLength + 1)];
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i] = (char)random.Next(0x20, 0x7F);
        }

        return new string(chars);
    }

    private static string RandomDigits(Random random, int length) =>
        string.Concat(Enumerable.Range(0, length).Select(_ => (char)('0' + random.Next(10))));

    private static string RandomPersonalNumber(Random random) => (random.Next(2) == 0 ? "19" : "20") + RandomDigits(random, 10);

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    private static T Pick<T>(Random random, T[] values) => values[random.Next(values.Length)];

    private static string Quote(string value) => JsonSerializer.Serialize(value);

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string Excerpt(string text, int length = 160)
    {
        var shown = text.Length > length ? text[..length] + $"...({text.Length} chars)" : text;
        return string.Concat(shown.Select(c => char.IsControl(c) || char.IsSurrogate(c) ? $"\\u{(int)c:x4}" : c.ToString()));
    }

    private static int Seed() =>
        int.TryParse(Environment.GetEnvironmentVariable("BANK_FUZZ_SEED"), CultureInfo.InvariantCulture, out var seed) ? seed : Random.Shared.Next();

    private async Task<DateOnly> TodayAsync() =>
        DateOnly.Parse((string)(await _bank.AdminGetAsync("/sandbox/clock"))["today"]!, CultureInfo.InvariantCulture);

    public void Dispose() => _bank.Dispose();

    /// <param name="OverLimit">
    /// The body is over the bank's 64 KiB limit. The bank refuses it and may close the connection before the client has
    /// sent it all; HTTP/1.1 then leaves the client with a broken connection instead of the answer, so for these cases
    /// (only) a failed send counts as refused.
    /// </param>
    /// <param name="OverlongTarget">The request line is past the HTTP server's limit, which answers 414 itself, without a body.</param>
    private sealed record FuzzCase(string Description, Func<HttpRequestMessage> Build, bool OverLimit = false, bool OverlongTarget = false);
}
