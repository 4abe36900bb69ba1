using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Psd2.IntegrationTests.Harness;
using Psd2.ServiceDefaults.RequestIds;

namespace Psd2.IntegrationTests.Api;

/// <summary>
/// Every operation of the served OpenAPI document, sent malformed requests built from what the document says it takes:
/// ids that are not ids, query values of the wrong type, size or alphabet, bodies that are not JSON, fields of the wrong
/// type and wrong content types. None may answer 5xx, and every error is the documented ProblemDetails with a code and
/// the request id. The statuses it meets are checked against the document with the rest of the run's (AnsweredStatuses).
/// </summary>
[Collection(AppCollection.Name)]
public sealed partial class ApiFuzzTests(AppFixture fixture)
{
    private const int MinimumPerOperation = 30;

    /// <summary>Strings a client might send by mistake or on purpose, each a classic way in.</summary>
    private static readonly string[] Nasty =
    [
        "", " ", "not-a-guid", "00000000-0000-0000-0000-000000000000", "-1", "0", "2147483648", "99999999999999999999999", "1e309", "NaN",
        "true", "null", "[]", "{}", "' OR 1=1 --", "\"; DROP TABLE users; --", "../../etc/passwd", "%00", "a\u0000b", "line\r\nInjected: yes",
        "\u202Eevil", "😀💥", "ä€𝄞", "\uFFFD", new string('x', 5000), "<script>alert(1)</script>", "${jndi:ldap://x}", "%s%n%x", "0x7fffffff", "２０２４",
    ];

    [Fact]
    public async Task NoOperationAnswersAMalformedRequestWithA5xxOrAnUndocumentedError()
    {
        using var client = await ApiTestClient.CreateAsync(fixture.App);
        using var anonymous = fixture.App.CreateHttpClient("api");
        var document = await anonymous.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var operations = Operations(document).ToList();
        Assert.True(operations.Count >= 30, $"only {operations.Count} operations in the document");

        var failures = new List<string>();
        var sent = 0;
        foreach (var operation in operations)
        {
            var requests = Malformed(operation, client.UserId).ToList();
            Assert.True(requests.Count >= MinimumPerOperation, $"{operation.Method} {operation.Template}: only {requests.Count} malformed requests");
            foreach (var build in requests)
            {
                using var request = build();
                using var response = await client.Api.SendAsync(request);
                sent++;
                if (await FaultAsync(response) is { } fault)
                {
                    failures.Add($"{operation.Method} {request.RequestUri} ({request.Content?.Headers.ContentType}): {fault}");
                }
            }
        }

        Console.WriteLine($"Fuzz: {sent} malformed requests to {operations.Count} operations; {failures.Count} faults");
        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures.Take(40)));
    }

    /// <summary>What is wrong with the answer, or null: a 5xx, or an error that is not a ProblemDetails with code and request id.</summary>
    private static async Task<string?> FaultAsync(HttpResponseMessage response)
    {
        var status = (int)response.StatusCode;
        var body = await response.Content.ReadAsStringAsync();
        if (status >= 500)
        {
            return $"{status}: {Shorten(body)}";
        }

        if (status < 400)
        {
            return null;
        }

        if (!response.Headers.Contains(RequestIdMiddleware.HeaderName))
        {
            // Kestrel refused the request line itself (a NUL in the path, a path over 8 KB) before the app saw it.
            return status is 400 or 414 or 431 ? null : $"{status} from outside the app";
        }

        if (response.Content.Headers.ContentType?.MediaType != "application/problem+json")
        {
            return $"{status} as {response.Content.Headers.ContentType}, not a ProblemDetails";
        }

        var problem = JsonNode.Parse(body)!.AsObject();
        return problem["code"] is null || problem["requestId"] is null ? $"{status} without code or requestId: {Shorten(body)}" : null;
    }

    /// <param name="BodyFields">The body's fields; null when the operation takes no body.</param>
    private sealed record Operation(string Method, string Template, IReadOnlyList<(string Name, string In, string? Format)> Parameters, IReadOnlyList<string>? BodyFields);

    private static IEnumerable<Operation> Operations(JsonElement document)
    {
        var schemas = document.GetProperty("components").GetProperty("schemas");
        foreach (var op in DocumentedOperation.In(document, "/v1/"))
        {
            var parameters = op.Definition.TryGetProperty("parameters", out var list)
                ? list.EnumerateArray().Select(p => (p.GetProperty("name").GetString()!, p.GetProperty("in").GetString()!,
                    p.GetProperty("schema").TryGetProperty("format", out var format) ? format.GetString() : null)).ToList()
                : [];
            var fields = new List<string>();
            if (op.Definition.TryGetProperty("requestBody", out var body)
                && body.GetProperty("content").EnumerateObject().First().Value.GetProperty("schema").TryGetProperty("$ref", out var reference))
            {
                fields.AddRange(schemas.GetProperty(reference.GetString()!.Split('/')[^1]).GetProperty("properties").EnumerateObject().Select(p => p.Name));
            }

            yield return new Operation(op.Method, op.Template, parameters, op.Definition.TryGetProperty("requestBody", out _) ? fields : null);
        }
    }

    /// <summary>
    /// The malformed requests for one operation: path ids that are not ids (the user's own id stays in place while the
    /// rest is broken, so validation past the ownership check is reached), each query parameter (and one it does not
    /// take) given every nasty value, and for an operation with a body: non-JSON, JSON of the wrong shape, each field given values of the wrong type,
    /// and the right JSON under the wrong content type.
    /// </summary>
    private static IEnumerable<Func<HttpRequestMessage>> Malformed(Operation operation, Guid userId)
    {
        var method = new HttpMethod(operation.Method);
        string PathWith(Func<string, string> idFor) => PathParameter().Replace(operation.Template, m => Uri.EscapeDataString(idFor(m.Groups["name"].Value)));
        var ownPath = PathWith(name => name == "userId" ? userId.ToString() : Guid.NewGuid().ToString());
        var body = operation.BodyFields is null ? null : "{}";

        if (operation.Parameters.Any(p => p.In == "path"))
        {
            foreach (var value in Nasty.Where(v => v.Trim().Length > 0))
            {
                yield return () => Request(method, PathWith(_ => value), body);
            }
        }

        // Parameters the operation does not take are ignored, whatever they hold.
        foreach (var value in Nasty)
        {
            yield return () => Request(method, $"{ownPath}?unexpected={Uri.EscapeDataString(value)}", body);
        }

        foreach (var (name, _, _) in operation.Parameters.Where(p => p.In == "query"))
        {
            foreach (var value in Nasty)
            {
                yield return () => Request(method, $"{ownPath}?{name}={Uri.EscapeDataString(value)}", body);
            }

            yield return () => Request(method, $"{ownPath}?{name}=1&{name}=2", body);
        }

        if (operation.BodyFields is null)
        {
            yield break;
        }

        string[] notJson = ["", "{", "}", "[", "nul", "{\"a\":", "'single'", "{\"a\":1,}", "\u0000", "\uFEFF{}", "<xml/>", "a=b&c=d", "{\"a\":\"\\ud800\"}"];
        foreach (var text in notJson)
        {
            yield return () => Request(method, ownPath, text);
        }

        string[] wrongShape = ["null", "[]", "[{}]", "\"text\"", "42", "true", "{\"unknown\":1}", "{\"a\":" + new string('[', 100) + new string(']', 100) + "}"];
        foreach (var json in wrongShape)
        {
            yield return () => Request(method, ownPath, json);
        }

        JsonNode?[] wrongValues = [42, -1, 1.5e300, true, JsonValue.Create(""), JsonValue.Create(" "), JsonValue.Create("a\u0000b"), JsonValue.Create(new string('y', 20_000)),
            JsonValue.Create("😀"), new JsonArray(1, 2), new JsonObject { ["x"] = 1 }, null];
        foreach (var field in operation.BodyFields)
        {
            foreach (var value in wrongValues)
            {
                yield return () => Request(method, ownPath, new JsonObject { [field] = value?.DeepClone() }.ToJsonString());
            }
        }

        foreach (var mediaType in new[] { "text/plain", "application/xml", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/json; charset=latin-7" })
        {
            yield return () => Request(method, ownPath, "{}", mediaType);
        }
    }

    private static HttpRequestMessage Request(HttpMethod method, string path, string? body, string mediaType = "application/json") => new(method, path)
    {
        Content = body is null ? null : new StringContent(body, Encoding.UTF8) { Headers = { ContentType = MediaTypeHeaderValue.Parse(mediaType) } },
    };

    private static string Shorten(string text) => text.Length > 300 ? text[..300] + "…" : text;

    [GeneratedRegex("{(?<name>[^}]+)}")]
    private static partial Regex PathParameter();
}
