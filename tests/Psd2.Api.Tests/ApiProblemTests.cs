using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Psd2.Api.Problems;

namespace Psd2.Api.Tests;

/// <summary>Errors typed by status: an operation's return type declares exactly the statuses it can answer.</summary>
public sealed class ApiProblemTests
{
    [Fact]
    public void AProblemDeclaresTheStatusesOfItsType()
    {
        var builder = new RouteEndpointBuilder(_ => Task.CompletedTask, RoutePatternFactory.Parse("/"), 0);

        ApiProblem<Unprocessable422, BadGateway502>.PopulateMetadata(typeof(ApiProblemTests).GetMethod(nameof(AProblemDeclaresTheStatusesOfItsType))!, builder);

        Assert.Equal([422, 502], builder.Metadata.OfType<IProducesResponseTypeMetadata>().Select(m => m.StatusCode));
        Assert.All(builder.Metadata.OfType<IProducesResponseTypeMetadata>(), m => Assert.Equal(["application/problem+json"], m.ContentTypes));
    }

    [Fact]
    public void AnErrorWithAStatusItsTypeDoesNotNameCannotBeMade()
    {
        var error = new ApiError(StatusCodes.Status400BadRequest, "flow_not_supported", "No such flow.");

        Assert.Throws<InvalidOperationException>(() => new ApiProblem<Unprocessable422, BadGateway502>(error));
        Assert.Equal(400, new ApiProblem<BadRequest400, Unprocessable422, BadGateway502>(error).StatusCode);
    }

    [Fact]
    public void AFieldAtFaultIsAValidationProblemNamingIt()
    {
        var problem = ApiProblems.Invalid("limit", "Between 1 and 200.");

        Assert.Equal(400, problem.StatusCode);
        Assert.Equal("limit", problem.Error.Field);
        Assert.IsType<Microsoft.AspNetCore.Http.HttpResults.ValidationProblem>(ApiProblems.Write(problem.Error));
    }
}
