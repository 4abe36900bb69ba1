using System.Reflection;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;

namespace Psd2.Api.Problems;

/// <summary>A status an operation can answer with a ProblemDetails: the type arguments of <see cref="ApiProblem{TStatus}"/>.</summary>
public interface IProblemStatus
{
    static abstract int Status { get; }
}

public sealed class BadRequest400 : IProblemStatus
{
    public static int Status => StatusCodes.Status400BadRequest;
}

public sealed class NotFound404 : IProblemStatus
{
    public static int Status => StatusCodes.Status404NotFound;
}

public sealed class Conflict409 : IProblemStatus
{
    public static int Status => StatusCodes.Status409Conflict;
}

public sealed class Gone410 : IProblemStatus
{
    public static int Status => StatusCodes.Status410Gone;
}

public sealed class Unprocessable422 : IProblemStatus
{
    public static int Status => StatusCodes.Status422UnprocessableEntity;
}

public sealed class BadGateway502 : IProblemStatus
{
    public static int Status => StatusCodes.Status502BadGateway;
}

/// <summary>
/// An error answer whose possible statuses are in its type, so an operation's return type (<c>Results&lt;Ok&lt;T&gt;,
/// ApiProblem&lt;NotFound404&gt;&gt;</c>) says every status it can answer and the OpenAPI document lists exactly those.
/// Written as ProblemDetails (400s as validation problems, with <c>errors</c> when a field is at fault) with its <c>code</c>.
/// </summary>
public abstract class ApiProblemResult(ApiError error) : IResult, IStatusCodeHttpResult
{
    public ApiError Error { get; } = error;

    public int? StatusCode => Error.Status;

    public Task ExecuteAsync(HttpContext httpContext) => ApiProblems.Write(Error).ExecuteAsync(httpContext);

    protected static void Declare(EndpointBuilder builder, int status) => builder.Metadata.Add(new ProducesResponseTypeMetadata(
        status, status == StatusCodes.Status400BadRequest ? typeof(HttpValidationProblemDetails) : typeof(ProblemDetails), ["application/problem+json"]));

    protected static ApiError Checked(ApiError error, params int[] statuses) => statuses.Contains(error.Status)
        ? error
        : throw new InvalidOperationException($"{error.Code} answers {error.Status}, which the operation does not declare ({string.Join(", ", statuses)}).");
}

/// <inheritdoc cref="ApiProblemResult"/>
public sealed class ApiProblem<TStatus>(ApiError error) : ApiProblemResult(Checked(error, TStatus.Status)), IEndpointMetadataProvider
    where TStatus : IProblemStatus
{
    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) => Declare(builder, TStatus.Status);
}

/// <summary>An error answer with one of two statuses, e.g. a bank's refusal (422) or its failure (502).</summary>
public sealed class ApiProblem<TStatus1, TStatus2>(ApiError error) : ApiProblemResult(Checked(error, TStatus1.Status, TStatus2.Status)), IEndpointMetadataProvider
    where TStatus1 : IProblemStatus
    where TStatus2 : IProblemStatus
{
    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder)
    {
        Declare(builder, TStatus1.Status);
        Declare(builder, TStatus2.Status);
    }
}

/// <summary>An error answer with one of three statuses.</summary>
public sealed class ApiProblem<TStatus1, TStatus2, TStatus3>(ApiError error)
    : ApiProblemResult(Checked(error, TStatus1.Status, TStatus2.Status, TStatus3.Status)), IEndpointMetadataProvider
    where TStatus1 : IProblemStatus
    where TStatus2 : IProblemStatus
    where TStatus3 : IProblemStatus
{
    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder)
    {
        Declare(builder, TStatus1.Status);
        Declare(builder, TStatus2.Status);
        Declare(builder, TStatus3.Status);
    }
}
