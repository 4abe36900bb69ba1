using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Psd2.ServiceDefaults.Problems;

namespace Psd2.ServiceDefaults.Tests;

/// <summary>
/// Errors as a client sees them, on an in-process server with the services' own middleware: a ProblemDetails with a
/// code and the request id whatever the client accepts, and malformed requests described in the API's words.
/// </summary>
public sealed class ProblemDetailsTests : IAsyncLifetime
{
    private WebApplication _app = null!;
    private HttpClient _client = null!;

    public sealed record Thing(string Name, int Count);

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Services.AddDefaultProblemDetails();
        _app = builder.Build();
        _app.UseServiceDefaults();
        _app.MapPost("/things", (Thing thing) => TypedResults.Created("/things/1", thing));
        _app.MapGet("/things/{id:int}", (int id) => TypedResults.Problem(statusCode: 404, title: "No such thing.", extensions: new Dictionary<string, object?> { ["code"] = "not_found" }));
        _app.MapGet("/count", (int n) => TypedResults.Ok(n));
        _app.MapGet("/boom", IResult () => throw new InvalidOperationException("secret internals"));
        await _app.StartAsync();
        _client = _app.GetTestClient();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _app.DisposeAsync();
    }

    [Theory]
    [InlineData("application/json")]
    [InlineData("application/xml")]
    [InlineData("text/html")]
    [InlineData("*/*")]
    public async Task EveryErrorIsProblemJsonWithCodeAndRequestIdWhateverTheClientAccepts(string accept)
    {
        foreach (var (method, path, status, code) in new[]
        {
            ("GET", "/things/7", 404, "not_found"), ("GET", "/nowhere", 404, "not_found"), ("GET", "/count?n=many", 400, "invalid_request"),
            ("GET", "/boom", 500, "internal_error"), ("DELETE", "/things/7", 405, "method_not_allowed"),
        })
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), path) { Headers = { { "X-Request-ID", "trace-1" } } };
            request.Headers.Accept.Add(MediaTypeWithQualityHeaderValue.Parse(accept));

            var problem = await ProblemAsync(await _client.SendAsync(request), (HttpStatusCode)status);

            Assert.Equal(code, problem.GetProperty("code").GetString());
            Assert.Equal("trace-1", problem.GetProperty("requestId").GetString());
            Assert.Equal(status, problem.GetProperty("status").GetInt32());
        }
    }

    [Fact]
    public async Task AnExceptionsTextNeverReachesTheClient()
    {
        var problem = await ProblemAsync(await _client.GetAsync("/boom"), HttpStatusCode.InternalServerError);

        Assert.DoesNotContain("secret internals", problem.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"name\": \"a\", \"count\": \"many\"}", "$.count")]
    [InlineData("{\"name\": ", null)]
    [InlineData("not json", null)]
    public async Task MalformedJsonIsInvalidJsonSayingWhereWithoutTheFrameworksWords(string body, string? path)
    {
        var problem = await ProblemAsync(
            await _client.PostAsync("/things", new StringContent(body, Encoding.UTF8, "application/json")), HttpStatusCode.BadRequest);

        Assert.Equal("invalid_json", problem.GetProperty("code").GetString());
        var detail = problem.GetProperty("detail").GetString()!;
        Assert.StartsWith("The JSON could not be read", detail, StringComparison.Ordinal);
        if (path is not null)
        {
            Assert.Contains(path, detail, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("parameter", problem.ToString(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task AMissingBodyIsInvalidJsonAndAnotherContentTypeIs415()
    {
        var missing = await ProblemAsync(await _client.PostAsync("/things", null), HttpStatusCode.BadRequest);
        var form = await ProblemAsync(
            await _client.PostAsync("/things", new FormUrlEncodedContent(new Dictionary<string, string> { ["name"] = "a" })), HttpStatusCode.UnsupportedMediaType);

        Assert.Equal("invalid_json", missing.GetProperty("code").GetString());
        Assert.Equal("The request needs a JSON body.", missing.GetProperty("detail").GetString());
        Assert.Equal("unsupported_media_type", form.GetProperty("code").GetString());
        Assert.DoesNotContain("Implicit body", missing.ToString() + form, StringComparison.Ordinal);
    }

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        using (response)
        {
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == status, $"{response.RequestMessage!.Method} {response.RequestMessage.RequestUri}: {(int)response.StatusCode} {body}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            return JsonDocument.Parse(body).RootElement.Clone();
        }
    }
}
