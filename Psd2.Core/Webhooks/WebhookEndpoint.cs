using Psd2.Core.ClientApps;

namespace Psd2.Core.Webhooks;

/// <summary>A URL a client app registered to be told of its events, with the secret its deliveries are signed with.</summary>
public sealed class WebhookEndpoint : IClientAppOwned
{
    public Guid Id { get; set; }
    public Guid ClientAppId { get; set; }
    public required string Url { get; set; }
    /// <summary>The event types delivered here; empty for every type.</summary>
    public List<string> EventTypes { get; set; } = [];
    public string? Description { get; set; }
    /// <summary>The signing secret, encrypted with <see cref="Security.TokenProtector"/> and bound to <see cref="Id"/>.</summary>
    public required byte[] SecretCipher { get; set; }
    /// <summary>The secret before the last rotation, which keeps signing beside the new one until <see cref="PreviousSecretExpiresAt"/>.</summary>
    public byte[]? PreviousSecretCipher { get; set; }
    public DateTimeOffset? PreviousSecretExpiresAt { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    public bool Receives(string eventType) => EventTypes.Count == 0 || EventTypes.Contains(eventType);
}

/// <summary>One event on its way to one endpoint.</summary>
public sealed class WebhookDelivery
{
    public Guid Id { get; set; }
    public Guid EndpointId { get; set; }
    public Guid EventId { get; set; }
    public Guid ClientAppId { get; set; }
    public required string Status { get; set; }
    public int Attempts { get; set; }
    /// <summary>When the retry window began: the fan-out, or the last redelivery.</summary>
    public DateTimeOffset ScheduledAt { get; set; }
    public DateTimeOffset? NextAttemptAt { get; set; }
    public DateTimeOffset? LastAttemptAt { get; set; }
    public int? LastStatusCode { get; set; }
    public string? LastError { get; set; }
    public DateTimeOffset? DeliveredAt { get; set; }
    public DateTimeOffset? DeadAt { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>One POST of a delivery: what came back (a status code, or the error that stood for one) and how long it took.</summary>
public sealed class WebhookAttempt
{
    public long Id { get; set; }
    public Guid DeliveryId { get; set; }
    public DateTimeOffset AttemptedAt { get; set; }
    public int? StatusCode { get; set; }
    public string? Error { get; set; }
    public int DurationMs { get; set; }
}

public static class WebhookDeliveryStatus
{
    public const string Pending = "pending";
    public const string Delivered = "delivered";
    public const string Dead = "dead";
    public static readonly IReadOnlyList<string> All = [Pending, Delivered, Dead];
}
