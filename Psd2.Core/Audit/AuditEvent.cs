namespace Psd2.Core.Audit;

/// <summary>One append-only audit record. Never holds a token, a code or a full IBAN.</summary>
public sealed class AuditEvent
{
    public long Id { get; set; }
    public Guid? ClientAppId { get; set; }
    public DateTimeOffset OccurredAt { get; set; }
    public required string Type { get; set; }
    public string? RequestId { get; set; }
    public Guid? UserId { get; set; }
    public Guid? ConnectionId { get; set; }
    /// <summary>Event specifics as a JSON object.</summary>
    public string? Details { get; set; }
}
