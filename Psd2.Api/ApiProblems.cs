namespace Psd2.Api;

/// <summary>The API's errors: RFC 9457 ProblemDetails with a stable machine-readable <c>code</c>.</summary>
public static class ApiProblems
{
    public static IResult Problem(int status, string code, string title, string? detail = null) =>
        TypedResults.Problem(detail: detail, statusCode: status, title: title, extensions: new Dictionary<string, object?> { ["code"] = code });

    public static IResult NotFound(string what) => Problem(StatusCodes.Status404NotFound, "not_found", $"No such {what}.");

    public static IResult Invalid(string field, string message) => TypedResults.ValidationProblem(
        new Dictionary<string, string[]> { [field] = [message] },
        title: "The request is not valid.",
        extensions: new Dictionary<string, object?> { ["code"] = "validation_failed" });
}
