using System.Globalization;
using Microsoft.AspNetCore.WebUtilities;
using Psd2.SandboxBank.BerlinGroup;
using Psd2.SandboxBank.Infrastructure;
using Psd2.SandboxBank.Signing;
using Psd2.SandboxBank.Time;
using Psd2.SandboxBank.UkOpenBanking;

namespace Psd2.SandboxBank.Stet;

/// <summary>
/// An error of the STET dialect: its <c>ErrorModel</c> (<c>timestamp</c>, <c>status</c>, <c>error</c>, <c>message</c>,
/// <c>path</c>) as application/json with the HTTP status. STET has no error code field, so <see cref="Message"/> is
/// the stable text a TPP acts on (<c>consent revoked by the PSU</c>, <c>signature missing</c>...).
/// </summary>
public sealed record StetError(int Status, string Message) : IResult
{
    private const int MaxText = 140;

    /// <summary>Seconds for a Retry-After header (429 and 503).</summary>
    public int? RetryAfterSeconds { get; init; }

    /// <summary>A 401 about the bearer token, which says so in WWW-Authenticate (RFC 6750).</summary>
    public bool TokenProblem { get; init; }

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        StetRequests.EchoRequestId(httpContext);
        response.StatusCode = Status;
        if (RetryAfterSeconds is { } seconds)
        {
            response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        }

        if (TokenProblem)
        {
            response.Headers.WWWAuthenticate = $"Bearer error=\"invalid_token\", error_description=\"{Message}\"";
        }

        var now = httpContext.RequestServices.GetService<BankClock>()?.GetUtcNow() ?? DateTimeOffset.UtcNow;
        var body = new ErrorModel(
            IsoDateTime.Format(now), Status, Limit(ReasonPhrases.GetReasonPhrase(Status)), Limit(Message), Limit(httpContext.Request.Path.Value ?? ""));
        await response.WriteAsJsonAsync(body, StetJson.Default.ErrorModel, contentType: "application/json", cancellationToken: httpContext.RequestAborted);
    }

    public ErrorAnswerException AsException() => new(this, Message);

    public static StetError BadRequest(string message) => new(400, message);
    public static StetError Unauthorized(string message) => new(401, message) { TokenProblem = true };
    public static StetError Forbidden(string message) => new(403, message);
    public static StetError NotFound(string message) => new(404, message);

    /// <summary>401 <c>signature missing</c>, or <c>signature invalid: </c> and the check that failed.</summary>
    public static StetError Signature(SignatureError error) => new(401, error.Code == SignatureError.SignatureMissing
        ? "signature missing"
        : "signature invalid: " + error.Text.TrimEnd('.'));

    /// <summary>An error raised by code the dialects share (certificate checks, faults) in this dialect's form.</summary>
    public static StetError From(TppError error) => new(error.Status, error.Text) { RetryAfterSeconds = error.RetryAfterSeconds };

    private static string Limit(string text) => text.Length <= MaxText ? text : text[..MaxText];
}
