using Psd2.SandboxBank.Infrastructure;

namespace Psd2.SandboxBank.BerlinGroup;

/// <summary>
/// A Berlin Group error: <c>{"tppMessages":[{"category":"ERROR","code":...,"path":...,"text":...}]}</c> with its
/// HTTP status. Returned by handlers as a result, or thrown from deeper code as an <see cref="Infrastructure.ErrorAnswerException"/>.
/// </summary>
public sealed record TppError(int Status, string Code, string Text, string? Path = null) : IResult
{
    /// <summary>Seconds for a Retry-After header (429 and 503).</summary>
    public int? RetryAfterSeconds { get; init; }

    public Task ExecuteAsync(HttpContext httpContext)
    {
        // Code the dialects share (certificate checks, faults) raises Berlin Group errors; a UK or STET caller gets its own form.
        if (UkOpenBanking.OpenBankingPaths.IsOpenBankingPath(httpContext.Request.Path))
        {
            return UkOpenBanking.OpenBankingError.From(this).ExecuteAsync(httpContext);
        }

        if (Stet.StetPaths.IsStetPath(httpContext.Request.Path))
        {
            return Stet.StetError.From(this).ExecuteAsync(httpContext);
        }

        var response = httpContext.Response;
        response.StatusCode = Status;
        if (RetryAfterSeconds is { } seconds)
        {
            response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return response.WriteAsJsonAsync(
            new TppMessagesBody([new TppMessage("ERROR", Code, Path, Text)]),
            BankJson.Default.TppMessagesBody,
            contentType: "application/json",
            cancellationToken: httpContext.RequestAborted);
    }

    public ErrorAnswerException AsException() => new(this, Text);

    public static TppError FormatError(string text, string? path = null) => new(400, "FORMAT_ERROR", text, path);
    public static TppError ParameterNotSupported(string text, string? path = null) => new(400, "PARAMETER_NOT_SUPPORTED", text, path);
    public static TppError PeriodInvalid(string text) => new(400, "PERIOD_INVALID", text);
    public static TppError ConsentUnknown() => new(403, "CONSENT_UNKNOWN", "The Consent-ID does not match a consent of this TPP.");
    public static TppError ConsentInvalid(string text) => new(401, "CONSENT_INVALID", text);
    public static TppError ConsentExpired() => new(401, "CONSENT_EXPIRED", "The consent is past its validUntil date.");
    public static TppError TokenInvalid(string text) => new(401, "TOKEN_INVALID", text);
    public static TppError TokenExpired() => new(401, "TOKEN_EXPIRED", "The access token has expired; refresh it.");
    public static TppError ResourceUnknown(string text) => new(404, "RESOURCE_UNKNOWN", text);
    public static TppError StatusInvalid(string text) => new(409, "STATUS_INVALID", text);
}

public sealed record TppMessage(string Category, string Code, string? Path, string? Text);

public sealed record TppMessagesBody(IReadOnlyList<TppMessage> TppMessages);
