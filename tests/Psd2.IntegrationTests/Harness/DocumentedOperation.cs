using System.Text.Json;

namespace Psd2.IntegrationTests.Harness;

/// <summary>One operation of the api's OpenAPI document, for the tests that go over every operation it lists.</summary>
/// <param name="Method">Upper case, as sent: GET, POST, ...</param>
/// <param name="Template">The path as the document writes it, e.g. <c>/v1/users/{userId}</c>.</param>
/// <param name="Definition">The document's operation object (parameters, requestBody, responses).</param>
internal sealed record DocumentedOperation(string Method, string Template, JsonElement Definition)
{
    private static readonly string[] Methods = ["get", "put", "post", "delete", "patch", "head", "options", "trace"];

    /// <summary>"METHOD /path/{param}".</summary>
    public string Name => $"{Method} {Template.TrimEnd('/')}";

    /// <summary>The statuses the document declares for this operation.</summary>
    public IReadOnlySet<string> DeclaredStatuses => Definition.GetProperty("responses").EnumerateObject().Select(r => r.Name).ToHashSet();

    /// <summary>Every operation of the document, or those under <paramref name="prefix"/>.</summary>
    public static IReadOnlyList<DocumentedOperation> In(JsonElement document, string prefix = "/") =>
        document.GetProperty("paths").EnumerateObject()
            .Where(path => path.Name.StartsWith(prefix, StringComparison.Ordinal))
            .SelectMany(path => path.Value.EnumerateObject().Where(op => Methods.Contains(op.Name))
                .Select(op => new DocumentedOperation(op.Name.ToUpperInvariant(), path.Name, op.Value)))
            .ToList();

    /// <summary>The /v1 operations of the running api's document.</summary>
    public static async Task<IReadOnlyList<DocumentedOperation>> OfV1Async(TestApp app)
    {
        using var anonymous = app.CreateHttpClient("api");
        return In(await anonymous.GetFromJsonAsync<JsonElement>("/openapi/v1.json"), "/v1/");
    }
}
