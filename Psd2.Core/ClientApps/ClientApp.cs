namespace Psd2.Core.ClientApps;

/// <summary>A fintech's backend that uses the platform. Every other resource belongs to exactly one.</summary>
public sealed class ClientApp
{
    public Guid Id { get; set; }
    public required string Name { get; set; }
    /// <summary>Where the platform may send an end user's browser back to after a bank visit.</summary>
    public string[] RedirectUris { get; set; } = [];
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? DisabledAt { get; set; }
}
