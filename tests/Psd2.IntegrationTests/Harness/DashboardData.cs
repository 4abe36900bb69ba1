using System.Text.Json;

namespace Psd2.IntegrationTests.Harness;

/// <summary>
/// Reads the dashboard's JSON as a script would. Services export every second, so what a test just did shows up
/// shortly after: each read waits, with a deadline, until the data it asks for is there.
/// </summary>
internal static class DashboardData
{
    /// <summary>Polls <paramref name="path"/> until <paramref name="ready"/> holds for its JSON; fails with the last answer at the deadline.</summary>
    public static async Task<JsonElement> WaitForAsync(HttpClient dashboard, string path, Func<JsonElement, bool> ready, int seconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        var last = "";
        while (DateTime.UtcNow < deadline)
        {
            using var response = await dashboard.GetAsync(path);
            last = $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}";
            if (response.IsSuccessStatusCode)
            {
                var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
                if (ready(json))
                {
                    return json;
                }
            }

            await Task.Delay(500);
        }

        Assert.Fail($"The dashboard's {path} did not show what was expected within {seconds} s; it answered {last[..Math.Min(last.Length, 2000)]}");
        return default;
    }

    /// <summary>
    /// A trace once <paramref name="ready"/> holds and no span arrived for a while: services export every second, each
    /// process on its own beat, so a trace fills in over a few exports (the request span, which ends last, among the last).
    /// </summary>
    public static async Task<JsonElement> WaitForSettledTraceAsync(HttpClient dashboard, string traceId, Func<JsonElement, bool> ready, int seconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        var trace = await WaitForAsync(dashboard, $"/api/traces/{traceId}", ready, seconds);
        while (DateTime.UtcNow < deadline)
        {
            await Task.Delay(1500);
            var again = await WaitForAsync(dashboard, $"/api/traces/{traceId}", ready, seconds);
            if (Spans(again).Count() == Spans(trace).Count())
            {
                return again;
            }

            trace = again;
        }

        Assert.Fail($"Spans of trace {traceId} were still arriving after {seconds} s.");
        return default;
    }

    public static IEnumerable<JsonElement> Spans(JsonElement trace) => trace.GetProperty("spans").EnumerateArray();

    public static string? Attribute(JsonElement span, string key) =>
        span.GetProperty("attributes").TryGetProperty(key, out var value) ? value.GetString() : null;

    /// <summary>A span of the database: Npgsql names the system <c>db.system.name</c> (current conventions) or <c>db.system</c> (older ones).</summary>
    public static bool IsPostgresSpan(JsonElement span) =>
        (Attribute(span, "db.system.name") ?? Attribute(span, "db.system")) == "postgresql";
}
