namespace Psd2.Api;

public static class ApiVersion1
{
    /// <summary>
    /// The <c>/v1</c> operations: each requires a client app's API key, so each can answer 401 (<c>api_key_missing</c>,
    /// <c>api_key_invalid</c>) before its handler runs.
    /// </summary>
    public static RouteGroupBuilder MapV1(this WebApplication app) =>
        app.MapGroup("/v1").RequireAuthorization().ProducesProblem(StatusCodes.Status401Unauthorized);
}
