using System.Net;
using System.Text.Json.Nodes;
using Psd2.IntegrationTests.Harness;

namespace Psd2.SandboxBank.Tests;

/// <summary>
/// The bank's answers as a TPP received them, kept in the form tests/tools/validate-responses.mjs reads, so a test can
/// hold all of them to the published OpenAPI document at <paramref name="specPath"/> (ajv).
/// </summary>
/// <param name="specName">How failures name the document.</param>
public sealed class RecordedResponses(string specPath, string specName)
{
    private readonly List<JsonObject> _recorded = [];

    /// <summary>
    /// Records an answer under <paramref name="path"/>, the spec's path template; with <paramref name="component"/> the
    /// body is checked against that schema directly, for documents that define schemas but not the operations.
    /// </summary>
    public void Add(HttpMethod method, string path, HttpStatusCode status, JsonNode? body, string? component = null)
    {
        var item = new JsonObject { ["method"] = method.Method, ["path"] = path, ["status"] = (int)status };
        if (component is not null)
        {
            item["component"] = component;
        }

        if (body is not null)
        {
            item["body"] = body.DeepClone();
        }

        // Tests may send concurrently through one TPP.
        lock (_recorded)
        {
            _recorded.Add(item);
        }
    }

    /// <summary>Every recorded answer validates against its schema in the spec.</summary>
    public async Task AssertMatchSpecAsync(CancellationToken cancellationToken)
    {
        JsonArray recorded;
        lock (_recorded)
        {
            recorded = new JsonArray([.. _recorded.Select(r => (JsonNode)r.DeepClone())]);
        }

        Assert.NotEmpty(recorded);
        var input = Path.Combine(Path.GetTempPath(), $"responses-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(input, recorded.ToJsonString(), cancellationToken);
        try
        {
            var result = await NodeTool.RunAsync("validate-responses.mjs", ["--spec", specPath, "--input", input], cancellationToken);
            Assert.True(result.ExitCode == 0, $"Responses do not match the {specName} spec:\n{result.Stdout}\n{result.Stderr}");
        }
        finally
        {
            File.Delete(input);
        }
    }
}
