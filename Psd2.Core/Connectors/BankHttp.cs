using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace Psd2.Core.Connectors;

/// <summary>What every connector does the same way with a bank's HTTP calls and answers, whatever its standard.</summary>
internal static partial class BankHttp
{
    /// <summary>
    /// Sends a call, tagged and logged with the id the bank knows it by (its standard's request id header) beside the
    /// platform's own; whatever the transport or the resilience pipeline throws is the bank being unreachable.
    /// </summary>
    public static async Task<HttpResponseMessage> SendAsync(
        HttpClient http, HttpRequestMessage request, string bankRequestId, string? platformRequestId, ILogger logger, CancellationToken cancellationToken)
    {
        Activity.Current?.SetTag("psd2.bank.request_id", bankRequestId);
        var path = request.RequestUri!.OriginalString.Split('?', 2)[0];
        var started = Stopwatch.GetTimestamp();
        try
        {
            var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
            LogCall(logger, request.Method.Method, path, bankRequestId, platformRequestId, (int)response.StatusCode, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            return response;
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            LogCall(logger, request.Method.Method, path, bankRequestId, platformRequestId, 0, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            throw Unreachable(e);
        }
    }

    /// <summary>Whatever the transport or the resilience pipeline threw (refused connection, open circuit, timeout).</summary>
    public static ConnectorException Unreachable(Exception e) =>
        new(ConnectorFailure.Transient, "unreachable", "The bank could not be reached.", inner: e);

    public static ConnectorException Malformed(Exception e) =>
        new(ConnectorFailure.Transient, "malformed_response", "The bank answered something its standard does not allow.", inner: e);

    /// <summary>A success body; one that is not JSON is the bank failing, not the platform.</summary>
    public static async Task<JsonDocument> JsonAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            return await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken), cancellationToken: cancellationToken);
        }
        catch (JsonException e)
        {
            throw Malformed(e);
        }
    }

    /// <summary>An error body when it is a JSON object; a proxy's HTML page or an empty body is no reason to fail differently.</summary>
    public static async Task<JsonDocument?> ErrorJsonAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            var body = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken), cancellationToken: cancellationToken);
            if (body.RootElement.ValueKind == JsonValueKind.Object)
            {
                return body;
            }

            body.Dispose();
            return null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Reads a success body's fields; a missing or mistyped one is a malformed answer.</summary>
    public static T Shape<T>(JsonDocument body, Func<JsonElement, T> read)
    {
        try
        {
            return read(body.RootElement);
        }
        catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or FormatException or OverflowException or NullReferenceException)
        {
            throw Malformed(e);
        }
    }

    /// <summary>When the day's unattended reads come back: the bank's Retry-After (a delay or a date), an hour if it gave none.</summary>
    public static DateTimeOffset NextAllowedAt(HttpResponseMessage response, TimeProvider time) =>
        time.GetUtcNow() + (response.Headers.RetryAfter?.Delta ?? (response.Headers.RetryAfter?.Date - time.GetUtcNow()) ?? TimeSpan.FromHours(1));

    public static bool IsTransient(HttpResponseMessage response) =>
        (int)response.StatusCode >= 500 || response.StatusCode == System.Net.HttpStatusCode.TooManyRequests;

    public static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    public static string Required(JsonElement element, string name) =>
        String(element, name) ?? throw new KeyNotFoundException($"'{name}' is missing.");

    public static DateOnly? Date(JsonElement element, string name) =>
        String(element, name) is { } text ? DateOnly.ParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture) : null;

    /// <summary>An amount as the standards write it: a decimal string with an optional sign.</summary>
    public static decimal Decimal(string text) =>
        decimal.Parse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);

    [LoggerMessage(Level = LogLevel.Information, Message = "Bank call {Method} {Path} request {BankRequestId} for {PlatformRequestId}: {Status} in {ElapsedMs:0} ms")]
    private static partial void LogCall(ILogger logger, string method, string path, string bankRequestId, string? platformRequestId, int status, double elapsedMs);
}
