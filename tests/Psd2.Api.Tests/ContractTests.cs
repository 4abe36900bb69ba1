using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Psd2.Api.Tests;

/// <summary>The OpenAPI document and the refusals decided before any handler runs, with the api in-process.</summary>
public sealed class ContractTests(InProcessApi api) : IClassFixture<InProcessApi>
{
    [Fact]
    public async Task EveryOperationDeclaresItsSuccessItsErrorsAndTheKeyItNeeds()
    {
        using var client = api.CreateClient();
        var document = await client.GetFromJsonAsync<JsonElement>("/openapi/v1.json");

        var faults = new List<string>();
        var operations = 0;
        foreach (var path in document.GetProperty("paths").EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject())
            {
                operations++;
                var name = $"{operation.Name.ToUpperInvariant()} {path.Name}";
                var body = operation.Value;
                var responses = body.GetProperty("responses").EnumerateObject().ToDictionary(r => int.Parse(r.Name), r => r.Value);
                if (!body.TryGetProperty("operationId", out _) || !body.TryGetProperty("summary", out _))
                {
                    faults.Add($"{name}: no operationId or summary");
                }

                if (!responses.ContainsKey(401))
                {
                    faults.Add($"{name}: no 401");
                }

                var successes = responses.Keys.Where(s => s is >= 200 and < 300).ToList();
                if (successes.Count == 0 || successes.Any(s => s != 204 && !responses[s].TryGetProperty("content", out _)))
                {
                    faults.Add($"{name}: success without a schema ({string.Join(", ", successes)})");
                }

                foreach (var (status, response) in responses.Where(r => r.Key >= 400))
                {
                    var schema = response.GetProperty("content").GetProperty("application/problem+json").GetProperty("schema").GetProperty("$ref").GetString();
                    if (schema is not ("#/components/schemas/ProblemDetails" or "#/components/schemas/HttpValidationProblemDetails"))
                    {
                        faults.Add($"{name}: {status} is {schema}");
                    }
                }

                if (body.TryGetProperty("requestBody", out _) && !(responses.ContainsKey(400) && responses.ContainsKey(415)))
                {
                    faults.Add($"{name}: takes a body but declares no 400 or 415");
                }
            }
        }

        Assert.True(operations >= 30, $"only {operations} operations");
        Assert.True(faults.Count == 0, string.Join(Environment.NewLine, faults));
        var problem = document.GetProperty("components").GetProperty("schemas").GetProperty("ProblemDetails");
        Assert.Equal(["code", "requestId"], problem.GetProperty("required").EnumerateArray().Select(r => r.GetString()).Order());
    }

    [Theory]
    [InlineData(null, "api_key_missing", "Bearer realm=\"psd2\"")]
    [InlineData("Basic dXNlcjpwYXNz", "api_key_missing", "Bearer realm=\"psd2\"")]
    [InlineData("Bearer not-a-key", "api_key_invalid", "Bearer realm=\"psd2\", error=\"invalid_token\"")]
    [InlineData("Bearer psd2_", "api_key_invalid", "Bearer realm=\"psd2\", error=\"invalid_token\"")]
    public async Task WithoutAValidKeyTheAnswerIs401WithAChallengeAndACode(string? authorization, string code, string challenge)
    {
        using var client = api.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/users");
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(challenge, response.Headers.WwwAuthenticate.ToString());
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(code, problem.GetProperty("code").GetString());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("requestId").GetString()));
    }

    [Theory]
    [InlineData("application/json; charset=latin-7")]
    [InlineData("application/json; charset=iso-8859-1")]
    [InlineData("application/json; charset=utf-16")]
    public async Task AJsonBodyInACharsetOtherThanUtf8Is415(string contentType)
    {
        using var client = api.CreateClient();
        using var content = new StringContent("{}", Encoding.UTF8);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);

        using var response = await client.PostAsync("/v1/users", content);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("unsupported_media_type", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
    }
}
