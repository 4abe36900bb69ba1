namespace Psd2.Api;

/// <summary>The API's errors: RFC 9457 ProblemDetails with a stable machine-readable <c>code</c>.</summary>
public static class ApiProblems
{
    public static IResult Problem(int status, string code, string title, string? detail = null) =>
        TypedResults.Problem(detail: detail, statusCode: status, title: title, extensions: new Dictionary<string, object?> { ["code"] = code });

    public static IResult Problem(ApiError error) =>
        error.Field is null ? Problem(error.Status, error.Code, error.Title, error.Detail) : Invalid(error.Field, error.Title);

    public static IResult NotFound(string what) => Problem(StatusCodes.Status404NotFound, "not_found", $"No such {what}.");

    public static IResult Invalid(string field, string message) => TypedResults.ValidationProblem(
        new Dictionary<string, string[]> { [field] = [message] },
        title: "The request is not valid.",
        extensions: new Dictionary<string, object?> { ["code"] = "validation_failed" });
}

/// <summary>A refusal decided below the HTTP layer, which the API shows as ProblemDetails and the Connect page as a message.</summary>
/// <param name="Field">The request field at fault: shown as a validation problem (<c>validation_failed</c>) with that field's error.</param>
public sealed record ApiError(int Status, string Code, string Title, string? Detail = null, string? Field = null)
{
    public static ApiError Invalid(string field, string message) => new(StatusCodes.Status400BadRequest, "validation_failed", message, Field: field);
}
