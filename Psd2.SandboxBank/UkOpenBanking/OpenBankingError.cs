using System.Globalization;
using Psd2.SandboxBank.BerlinGroup;
using Psd2.SandboxBank.Infrastructure;

namespace Psd2.SandboxBank.UkOpenBanking;

/// <summary>
/// An error of the UK Open Banking dialect with its HTTP status. The v4.0 spec documents an <c>OBErrorResponse1</c>
/// body for 400, 403 and 500 only; every other status (401, 404, 405, 406, 415, 429, and the undocumented 503) goes
/// out without a body. <c>ErrorCode</c> is the four-character OBExternalStatusReason1Code (e.g. U002) the v4 schema
/// allows; the code's UK.OBIE name (e.g. UK.OBIE.Field.Invalid) is carried in the response's <c>Code</c>.
/// </summary>
public sealed record OpenBankingError(int Status, string? ErrorCode, string? Name, string Message, string? Path = null) : IResult
{
    /// <summary>Seconds for a Retry-After header (429 and 503).</summary>
    public int? RetryAfterSeconds { get; init; }

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        FapiHeaders.EnsureInteractionId(httpContext);
        response.StatusCode = Status;
        if (RetryAfterSeconds is { } seconds)
        {
            response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        }

        if (Status == StatusCodes.Status401Unauthorized)
        {
            // RFC 6750: which token problem, for clients that read it; the spec itself documents no body.
            response.Headers.WWWAuthenticate = $"Bearer error=\"invalid_token\", error_description=\"{Message.Replace("\"", "'", StringComparison.Ordinal)}\"";
        }

        if (ErrorCode is null || Status is not (400 or 403 or 500))
        {
            return;
        }

        var body = new OBErrorResponse1(Guid.NewGuid().ToString(), Name ?? ErrorCode, Message, [new OBError1(ErrorCode, Message, Path)]);
        await response.WriteAsJsonAsync(body, OpenBankingJson.Default.OBErrorResponse1, contentType: "application/json", cancellationToken: httpContext.RequestAborted);
    }

    public ErrorAnswerException AsException() => new(this, Message);

    public static OpenBankingError FieldMissing(string path) => new(400, "U004", "UK.OBIE.Field.Missing", $"{path} is required.", path);
    public static OpenBankingError FieldInvalid(string message, string? path = null) => new(400, "U002", "UK.OBIE.Field.Invalid", message, path);
    public static OpenBankingError InvalidDate(string message, string path) => new(400, "U003", "UK.OBIE.Field.InvalidDate", message, path);
    public static OpenBankingError InvalidFormat(string message, string? path = null) => new(400, "U010", "UK.OBIE.Resource.InvalidFormat", message, path);
    public static OpenBankingError HeaderInvalid(string header, string message) => new(400, "U006", "UK.OBIE.Header.Invalid", message, header);
    public static OpenBankingError Unauthorized(string message) => new(401, null, null, message);
    public static OpenBankingError NotFound(string message) => new(403, "U011", "UK.OBIE.Resource.NotFound", message);
    public static OpenBankingError InvalidConsentStatus(string message) => new(403, "U009", "UK.OBIE.Resource.InvalidConsentStatus", message);

    /// <summary>ISO's AG08 InvalidAccessRights: the consent does not grant the permission this read needs.</summary>
    public static OpenBankingError PermissionMissing(string message) => new(403, "AG08", "InvalidAccessRights", message);

    public static OpenBankingError Unexpected(string message) => new(500, "U000", "UK.OBIE.UnexpectedError", message);

    /// <summary>
    /// A Berlin Group error raised by code both dialects share (certificate checks, faults) in this dialect's form.
    /// </summary>
    public static OpenBankingError From(TppError error) => error.Status switch
    {
        400 => FieldInvalid(error.Text, error.Path),
        403 => NotFound(error.Text),
        500 => Unexpected(error.Text),
        _ => new OpenBankingError(error.Status, null, null, error.Text) { RetryAfterSeconds = error.RetryAfterSeconds },
    };
}
