namespace Psd2.Api.Problems;

/// <summary>The API's errors: RFC 9457 ProblemDetails with a stable machine-readable <c>code</c>, typed by status.</summary>
public static class ApiProblems
{
    public static ApiProblem<NotFound404> NotFound(string what) => new(new(StatusCodes.Status404NotFound, "not_found", $"No such {what}."));

    /// <summary>A request field at fault: <c>validation_failed</c>, naming the field.</summary>
    public static ApiProblem<BadRequest400> Invalid(string field, string message) => new(ApiError.Invalid(field, message));

    public static ApiProblem<BadRequest400> BadRequest(string code, string title) => new(new(StatusCodes.Status400BadRequest, code, title));

    public static ApiProblem<Conflict409> Conflict(string code, string title, string? detail = null) => new(new(StatusCodes.Status409Conflict, code, title, detail));

    /// <summary>The error as written: a validation problem when a field is at fault, otherwise a problem with the error's status.</summary>
    public static IResult Write(ApiError error) => error.Field is null
        ? TypedResults.Problem(detail: error.Detail, statusCode: error.Status, title: error.Title, extensions: new Dictionary<string, object?> { ["code"] = error.Code })
        : TypedResults.ValidationProblem(
            new Dictionary<string, string[]> { [error.Field] = [error.Title] },
            title: "The request is not valid.",
            extensions: new Dictionary<string, object?> { ["code"] = error.Code });
}

/// <summary>A refusal decided below the HTTP layer, which the API shows as ProblemDetails and the Connect page as a message.</summary>
/// <param name="Field">The request field at fault: shown as a validation problem (<c>validation_failed</c>) with that field's error.</param>
public sealed record ApiError(int Status, string Code, string Title, string? Detail = null, string? Field = null)
{
    public static ApiError Invalid(string field, string message) => new(StatusCodes.Status400BadRequest, "validation_failed", message, Field: field);
}
