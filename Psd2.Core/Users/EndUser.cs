using Psd2.Core.ClientApps;

namespace Psd2.Core.Users;

/// <summary>A client app's customer whose bank accounts get connected, known to the app by its own reference.</summary>
public sealed class EndUser : IClientAppOwned
{
    public Guid Id { get; set; }
    public Guid ClientAppId { get; set; }
    public required string ExternalReference { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}
