using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Psd2.Api.ClientApps;
using Psd2.Core.Audit;
using Psd2.Core.ClientApps;
using Psd2.Core.Persistence;
using Psd2.Core.Security;
using Psd2.Core.Webhooks;

namespace Psd2.Api.Webhooks;

/// <param name="Url">An https URL on a public host.</param>
/// <param name="EventTypes">Only these event types; all of them when absent or empty.</param>
/// <param name="Description">For people: at most 200 characters.</param>
public sealed record CreateWebhookEndpointRequest(string? Url, List<string>? EventTypes = null, string? Description = null);

public sealed record WebhookEndpointResponse(
    Guid Id, string Url, IReadOnlyList<string> EventTypes, string? Description, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt,
    DateTimeOffset? PreviousSecretExpiresAt)
{
    public static WebhookEndpointResponse Of(WebhookEndpoint e) =>
        new(e.Id, e.Url, e.EventTypes, e.Description, e.CreatedAt, e.UpdatedAt, e.PreviousSecretExpiresAt);
}

/// <summary>The endpoint as created, with its signing secret: shown this once and never again.</summary>
public sealed record CreatedWebhookEndpointResponse(
    Guid Id, string Url, IReadOnlyList<string> EventTypes, string? Description, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, string Secret);

/// <summary>A new signing secret; the previous one keeps signing beside it until <paramref name="PreviousSecretExpiresAt"/>.</summary>
public sealed record RotatedWebhookSecretResponse(Guid Id, string Secret, DateTimeOffset PreviousSecretExpiresAt);

public sealed record WebhookAttemptResponse(DateTimeOffset AttemptedAt, int? StatusCode, string? Error, int DurationMs);

public sealed record WebhookDeliveryResponse(
    Guid Id, Guid EndpointId, Guid EventId, string EventType, DateTimeOffset OccurredAt, string Status, int Attempts,
    DateTimeOffset ScheduledAt, DateTimeOffset? NextAttemptAt, DateTimeOffset? LastAttemptAt, int? LastStatusCode, string? LastError,
    DateTimeOffset? DeliveredAt, DateTimeOffset? DeadAt, DateTimeOffset CreatedAt, IReadOnlyList<WebhookAttemptResponse>? AttemptLog);

/// <summary>
/// A client app's webhook endpoints (the URLs its events are POSTed to, each with its own signing secret), and what was
/// delivered to them: deliveries by status (dead letters included), each with its attempts, and redelivery.
/// </summary>
public static class WebhooksApi
{
    /// <summary>Endpoints one client app may hold.</summary>
    public const int MaxEndpoints = 20;

    private const int MaxDescriptionLength = 200;

    public static void MapWebhooksApi(this RouteGroupBuilder v1)
    {
        var endpoints = v1.MapGroup("/webhook-endpoints").WithTags("Webhooks");
        endpoints.MapPost("/", CreateAsync).WithName("CreateWebhookEndpoint")
            .WithSummary("Registers an https URL for the client app's events (optionally only some types); returns the signing secret, this once.");
        endpoints.MapGet("/", ListAsync).WithName("ListWebhookEndpoints").WithSummary("The client app's webhook endpoints, oldest first.");
        endpoints.MapGet("/{endpointId:guid}", GetAsync).WithName("GetWebhookEndpoint").WithSummary("One webhook endpoint (without its secret).");
        endpoints.MapDelete("/{endpointId:guid}", DeleteAsync).WithName("DeleteWebhookEndpoint")
            .WithSummary("Removes the endpoint; nothing more is delivered to it and its deliveries are forgotten.");
        endpoints.MapPost("/{endpointId:guid}/rotate-secret", RotateSecretAsync).WithName("RotateWebhookSecret")
            .WithSummary("Issues a new signing secret; deliveries carry signatures under both the new and the previous one until the previous one expires.");
        endpoints.MapGet("/{endpointId:guid}/deliveries", ListDeliveriesAsync).WithName("ListWebhookDeliveries")
            .WithSummary("Deliveries to the endpoint, newest first; status=dead lists the dead letters.");
        endpoints.MapGet("/{endpointId:guid}/deliveries/{deliveryId:guid}", GetDeliveryAsync).WithName("GetWebhookDelivery")
            .WithSummary("One delivery with every attempt: when, the status code or error, how long it took.");
        endpoints.MapPost("/{endpointId:guid}/deliveries/{deliveryId:guid}/redeliver", RedeliverAsync).WithName("RedeliverWebhook")
            .WithSummary("Sends a delivered or dead delivery again (same event id), with a fresh retry window.");
    }

    private static async Task<Results<Created<CreatedWebhookEndpointResponse>, ApiProblem<BadRequest400>, ApiProblem<Conflict409>>> CreateAsync(
        CreateWebhookEndpointRequest request, Caller caller, Psd2DbContext db, TokenProtector protector, IOptions<WebhookOptions> options, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var (url, problem) = WebhookUrls.Check(request.Url, options.Value.AllowLoopbackHttp);
        if (problem is not null)
        {
            return ApiProblems.BadRequest(problem.Code, problem.Message);
        }

        var eventTypes = (request.EventTypes ?? []).Distinct(StringComparer.Ordinal).ToList();
        if (eventTypes.FirstOrDefault(t => !WebhookEventTypes.All.Contains(t)) is { } unknown)
        {
            return ApiProblems.BadRequest("webhook_event_type_unknown",
                $"Unknown event type '{Truncate(unknown)}'; the types are: {string.Join(", ", WebhookEventTypes.All)}.");
        }

        var description = request.Description?.Trim();
        if (TextInput.Check("description", description, MaxDescriptionLength) is { } invalid)
        {
            return new ApiProblem<BadRequest400>(invalid);
        }

        var clientAppId = caller.ClientAppId;
        if (await db.WebhookEndpoints.CountAsync(e => e.ClientAppId == clientAppId, cancellationToken) >= MaxEndpoints)
        {
            return ApiProblems.Conflict("webhook_endpoint_limit", $"A client app holds at most {MaxEndpoints} webhook endpoints.");
        }

        var now = time.GetUtcNow();
        var id = Guid.CreateVersion7();
        var secret = WebhookSignature.NewSecret();
        var endpoint = new WebhookEndpoint
        {
            Id = id, ClientAppId = clientAppId, Url = url!.AbsoluteUri, EventTypes = eventTypes, Description = string.IsNullOrEmpty(description) ? null : description,
            SecretCipher = protector.Protect(secret, id), CreatedAt = now, UpdatedAt = now,
        };
        db.WebhookEndpoints.Add(endpoint);
        db.AuditEvents.Add(Audit(caller, time, "webhook_endpoint.created", new { endpointId = id, eventTypes }));
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Created($"/v1/webhook-endpoints/{id}", new CreatedWebhookEndpointResponse(
            id, endpoint.Url, endpoint.EventTypes, endpoint.Description, endpoint.CreatedAt, endpoint.UpdatedAt, secret));
    }

    private static async Task<Ok<List<WebhookEndpointResponse>>> ListAsync(Caller caller, Psd2DbContext db, CancellationToken cancellationToken)
    {
        var endpoints = await db.WebhookEndpoints.AsNoTracking().OwnedBy(caller.ClientAppId)
            .OrderBy(e => e.CreatedAt).ThenBy(e => e.Id).ToListAsync(cancellationToken);
        return TypedResults.Ok(endpoints.Select(WebhookEndpointResponse.Of).ToList());
    }

    private static async Task<Results<Ok<WebhookEndpointResponse>, ApiProblem<NotFound404>>> GetAsync(
        Guid endpointId, Caller caller, Psd2DbContext db, CancellationToken cancellationToken) =>
        await FindAsync(db.WebhookEndpoints.AsNoTracking(), caller, endpointId, cancellationToken) is { } endpoint
            ? TypedResults.Ok(WebhookEndpointResponse.Of(endpoint))
            : ApiProblems.NotFound("webhook endpoint");

    private static async Task<Results<NoContent, ApiProblem<NotFound404>>> DeleteAsync(
        Guid endpointId, Caller caller, Psd2DbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var endpoint = await FindAsync(db.WebhookEndpoints, caller, endpointId, cancellationToken);
        if (endpoint is null)
        {
            return ApiProblems.NotFound("webhook endpoint");
        }

        db.WebhookEndpoints.Remove(endpoint);
        db.AuditEvents.Add(Audit(caller, time, "webhook_endpoint.deleted", new { endpointId }));
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<RotatedWebhookSecretResponse>, ApiProblem<NotFound404>>> RotateSecretAsync(
        Guid endpointId, Caller caller, Psd2DbContext db, TokenProtector protector, IOptions<WebhookOptions> options, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var endpoint = await FindAsync(db.WebhookEndpoints, caller, endpointId, cancellationToken);
        if (endpoint is null)
        {
            return ApiProblems.NotFound("webhook endpoint");
        }

        var now = time.GetUtcNow();
        var secret = WebhookSignature.NewSecret();
        endpoint.PreviousSecretCipher = endpoint.SecretCipher;
        endpoint.PreviousSecretExpiresAt = now + options.Value.PreviousSecretLifetime;
        endpoint.SecretCipher = protector.Protect(secret, endpoint.Id);
        endpoint.UpdatedAt = now;
        db.AuditEvents.Add(Audit(caller, time, "webhook_endpoint.secret_rotated", new { endpointId }));
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(new RotatedWebhookSecretResponse(endpoint.Id, secret, endpoint.PreviousSecretExpiresAt.Value));
    }

    /// <param name="status">Only deliveries in this status: pending, delivered or dead.</param>
    /// <param name="limit">Deliveries to list, 1 to 200; 50 by default.</param>
    private static async Task<Results<Ok<List<WebhookDeliveryResponse>>, ApiProblem<BadRequest400>, ApiProblem<NotFound404>>> ListDeliveriesAsync(
        Guid endpointId, Caller caller, Psd2DbContext db, string? status, int? limit, CancellationToken cancellationToken)
    {
        if (status is not null && !WebhookDeliveryStatus.All.Contains(status))
        {
            return ApiProblems.Invalid("status", $"One of: {string.Join(", ", WebhookDeliveryStatus.All)}.");
        }

        if (limit is < 1 or > 200)
        {
            return ApiProblems.Invalid("limit", "Between 1 and 200.");
        }

        if (await FindAsync(db.WebhookEndpoints.AsNoTracking(), caller, endpointId, cancellationToken) is null)
        {
            return ApiProblems.NotFound("webhook endpoint");
        }

        var deliveries = db.WebhookDeliveries.AsNoTracking().Where(d => d.EndpointId == endpointId);
        if (status is not null)
        {
            deliveries = deliveries.Where(d => d.Status == status);
        }

        var page = await deliveries.OrderByDescending(d => d.CreatedAt).ThenByDescending(d => d.Id).Take(limit ?? 50)
            .Join(db.PlatformEvents, d => d.EventId, e => e.Id, (d, e) => new { Delivery = d, e.Type, e.OccurredAt })
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(page.Select(row => View(row.Delivery, row.Type, row.OccurredAt, attempts: null)).ToList());
    }

    private static async Task<Results<Ok<WebhookDeliveryResponse>, ApiProblem<NotFound404>>> GetDeliveryAsync(
        Guid endpointId, Guid deliveryId, Caller caller, Psd2DbContext db, CancellationToken cancellationToken)
    {
        var row = await FindDeliveryAsync(db, db.WebhookDeliveries.AsNoTracking(), caller, endpointId, deliveryId, cancellationToken);
        if (row is null)
        {
            return ApiProblems.NotFound("webhook delivery");
        }

        var attempts = await db.WebhookAttempts.AsNoTracking().Where(a => a.DeliveryId == deliveryId).OrderBy(a => a.Id)
            .Select(a => new WebhookAttemptResponse(a.AttemptedAt, a.StatusCode, a.Error, a.DurationMs)).ToListAsync(cancellationToken);
        return TypedResults.Ok(View(row.Value.Delivery, row.Value.Type, row.Value.OccurredAt, attempts));
    }

    private static async Task<Results<Accepted<WebhookDeliveryResponse>, ApiProblem<NotFound404>, ApiProblem<Conflict409>>> RedeliverAsync(
        Guid endpointId, Guid deliveryId, Caller caller, Psd2DbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var row = await FindDeliveryAsync(db, db.WebhookDeliveries, caller, endpointId, deliveryId, cancellationToken);
        if (row is null)
        {
            return ApiProblems.NotFound("webhook delivery");
        }

        var delivery = row.Value.Delivery;
        if (delivery.Status == WebhookDeliveryStatus.Pending)
        {
            return ApiProblems.Conflict("webhook_delivery_pending", "The delivery is still being retried; it is sent again at nextAttemptAt.");
        }

        var now = time.GetUtcNow();
        delivery.Status = WebhookDeliveryStatus.Pending;
        delivery.Attempts = 0;
        delivery.ScheduledAt = now;
        delivery.NextAttemptAt = now;
        delivery.DeliveredAt = null;
        delivery.DeadAt = null;
        db.AuditEvents.Add(Audit(caller, time, "webhook_delivery.redelivered", new { endpointId, deliveryId, eventId = delivery.EventId }));
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Accepted($"/v1/webhook-endpoints/{endpointId}/deliveries/{deliveryId}", View(delivery, row.Value.Type, row.Value.OccurredAt, attempts: null));
    }

    /// <summary>The caller's own endpoint; another client app's is as unknown as a missing one.</summary>
    private static Task<WebhookEndpoint?> FindAsync(IQueryable<WebhookEndpoint> endpoints, Caller caller, Guid endpointId, CancellationToken cancellationToken) =>
        endpoints.OwnedBy(caller.ClientAppId).SingleOrDefaultAsync(e => e.Id == endpointId, cancellationToken);

    private static async Task<(WebhookDelivery Delivery, string Type, DateTimeOffset OccurredAt)?> FindDeliveryAsync(
        Psd2DbContext db, IQueryable<WebhookDelivery> deliveries, Caller caller, Guid endpointId, Guid deliveryId, CancellationToken cancellationToken)
    {
        var row = await deliveries.Where(d => d.Id == deliveryId && d.EndpointId == endpointId && d.ClientAppId == caller.ClientAppId)
            .Join(db.PlatformEvents, d => d.EventId, e => e.Id, (d, e) => new { Delivery = d, e.Type, e.OccurredAt })
            .SingleOrDefaultAsync(cancellationToken);
        return row is null ? null : (row.Delivery, row.Type, row.OccurredAt);
    }

    private static WebhookDeliveryResponse View(WebhookDelivery d, string type, DateTimeOffset occurredAt, IReadOnlyList<WebhookAttemptResponse>? attempts) => new(
        d.Id, d.EndpointId, d.EventId, type, occurredAt, d.Status, d.Attempts, d.ScheduledAt, d.NextAttemptAt, d.LastAttemptAt, d.LastStatusCode,
        d.LastError, d.DeliveredAt, d.DeadAt, d.CreatedAt, attempts);

    /// <summary>An audit record of the client app's own webhook settings (no end user involved).</summary>
    private static AuditEvent Audit(Caller caller, TimeProvider time, string type, object details) =>
        AuditRecords.For(caller, time, type, userId: null, details: details);

    private static string Truncate(string value) => value.Length > 50 ? value[..50] + "…" : value;
}
