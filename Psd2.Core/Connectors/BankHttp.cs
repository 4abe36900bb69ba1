using System.Globalization;
using System.Text.Json;

namespace Psd2.Core.Connectors;

/// <summary>What every connector does the same way with a bank's HTTP answers, whatever its standard.</summary>
internal static class BankHttp
{
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
}
