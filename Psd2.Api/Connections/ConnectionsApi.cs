using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Psd2.Api.Banking;
using Psd2.Api.ClientApps;
using Psd2.Api.Institutions;
using Psd2.Core.Banking;
using Psd2.Core.Connections;
using Psd2.Core.Persistence;

namespace Psd2.Api.Connections;

/// <summary>Bank connections of a client app's users: created at the bank, authorised by the user, read.</summary>
public static class ConnectionsApi
{
    public static void MapConnectionsApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/users/{userId:guid}/connections", CreateAsync).WithTags("Connections").WithName("CreateConnection")
            .WithSummary("Creates a consent at the bank and returns where to send the user to authorise it.");
        app.MapGet("/v1/users/{userId:guid}/connections", ListAsync).WithTags("Connections").WithName("ListConnections");
        app.MapGet("/v1/connections/{connectionId:guid}", GetAsync).WithTags("Connections").WithName("GetConnection");
    }

    private static async Task<IResult> CreateAsync(
        Guid userId, CreateConnectionRequest request, HttpContext context, Psd2DbContext db, IOptions<InstitutionOptions> institutions,
        IHttpClientFactory clients, AuthorizationStates states, TppIdentity tpp, IOptions<ApiOptions> api, TimeProvider time)
    {
        var clientAppId = context.ClientAppId();
        var cancellationToken = context.RequestAborted;
        if (!await IsOwnUserAsync(db, clientAppId, userId, cancellationToken))
        {
            return ApiProblems.NotFound("user");
        }

        if (request.InstitutionId is null || !institutions.Value.Banks.TryGetValue(request.InstitutionId, out var institution))
        {
            return ApiProblems.Problem(StatusCodes.Status400BadRequest, "institution_unknown", "institutionId names no institution on offer (GET /v1/institutions).");
        }

        if (request.Flow is not (null or ConnectionFlow.Redirect))
        {
            return ApiProblems.Problem(StatusCodes.Status400BadRequest, "flow_not_supported", "Only the redirect flow is offered by this API version.");
        }

        var allowed = await db.ClientApps.Where(a => a.Id == clientAppId).Select(a => a.RedirectUris).SingleAsync(cancellationToken);
        if (request.RedirectUri is null || !allowed.Contains(request.RedirectUri, StringComparer.Ordinal))
        {
            return ApiProblems.Problem(StatusCodes.Status400BadRequest, "redirect_uri_not_allowed", "redirectUri must be one of the client app's registered redirect URIs.");
        }

        var validDays = request.ValidDays ?? Math.Min(90, institution.MaxConsentDays);
        if (validDays < 1 || validDays > institution.MaxConsentDays)
        {
            return ApiProblems.Invalid("validDays", $"Between 1 and {institution.MaxConsentDays} for this institution.");
        }

        var frequency = request.FrequencyPerDay ?? 4;
        if (frequency is < 1 or > 4)
        {
            return ApiProblems.Invalid("frequencyPerDay", "Between 1 and 4.");
        }

        var now = time.GetUtcNow();
        var connection = new Connection
        {
            Id = Guid.NewGuid(), ClientAppId = clientAppId, UserId = userId, InstitutionId = request.InstitutionId,
            Flow = ConnectionFlow.Redirect, Status = ConnectionStatus.PendingAuthorisation, RedirectUri = request.RedirectUri,
            FrequencyPerDay = frequency, RequestedValidUntil = DateOnly.FromDateTime(now.UtcDateTime).AddDays(validDays),
            CreatedAt = now, UpdatedAt = now,
        };
        db.Connections.Add(connection);
        db.AuditEvents.Add(AuditRecords.For(context, time, "connection.created", clientAppId, userId, connection.Id));

        var bank = clients.For(institution);
        var callback = api.Value.CallbackUrl;
        string authorisationUrl;
        try
        {
            var consent = await bank.CreateConsentAsync(connection.RequestedValidUntil, frequency, callback, cancellationToken);
            connection.BankConsentId = consent.ConsentId;
            var server = await bank.GetAuthorizationServerAsync(
                consent.ScaOAuthHref ?? throw new BankException("sca_unsupported", "The bank offered no OAuth redirect."), cancellationToken);
            var (verifier, challenge) = Pkce.Create();
            var state = Pkce.RandomToken();
            await states.SaveAsync(state, new PendingAuthorization(connection.Id, verifier, server.TokenEndpoint));
            authorisationUrl = $"{server.AuthorizationEndpoint}?response_type=code&client_id={Uri.EscapeDataString(tpp.OrganizationId)}"
                + $"&redirect_uri={Uri.EscapeDataString(callback)}&scope={Uri.EscapeDataString("AIS:" + consent.ConsentId)}"
                + $"&state={state}&code_challenge={challenge}&code_challenge_method=S256";
        }
        catch (Exception e) when (e is BankException or HttpRequestException or System.Text.Json.JsonException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            connection.Status = ConnectionStatus.Failed;
            connection.StatusReason = e is BankException bankError ? "bank_error:" + bankError.Code : "bank_unavailable";
            context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ConnectionsApi))
                .LogWarning(e, "Creating the consent of connection {ConnectionId} at {InstitutionId} failed", connection.Id, connection.InstitutionId);
            await db.SaveChangesAsync(CancellationToken.None);
            return ApiProblems.Problem(StatusCodes.Status502BadGateway, "bank_unavailable", "The bank could not be reached or refused the consent.", connection.StatusReason);
        }

        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Created($"/v1/connections/{connection.Id}", ConnectionResponse.Of(connection, authorisationUrl));
    }

    private static async Task<IResult> GetAsync(Guid connectionId, HttpContext context, Psd2DbContext db) =>
        await db.Connections.AsNoTracking().SingleOrDefaultAsync(c => c.Id == connectionId && c.ClientAppId == context.ClientAppId(), context.RequestAborted) is { } connection
            ? TypedResults.Ok(ConnectionResponse.Of(connection))
            : ApiProblems.NotFound("connection");

    private static async Task<IResult> ListAsync(Guid userId, HttpContext context, Psd2DbContext db)
    {
        var clientAppId = context.ClientAppId();
        if (!await IsOwnUserAsync(db, clientAppId, userId, context.RequestAborted))
        {
            return ApiProblems.NotFound("user");
        }

        var connections = await db.Connections.AsNoTracking().Where(c => c.UserId == userId && c.ClientAppId == clientAppId)
            .OrderBy(c => c.CreatedAt).ToListAsync(context.RequestAborted);
        return TypedResults.Ok(connections.Select(c => ConnectionResponse.Of(c)).ToList());
    }

    private static Task<bool> IsOwnUserAsync(Psd2DbContext db, Guid clientAppId, Guid userId, CancellationToken cancellationToken) =>
        db.Users.AnyAsync(u => u.Id == userId && u.ClientAppId == clientAppId, cancellationToken);
}
