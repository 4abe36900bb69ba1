using Microsoft.Extensions.Configuration;

namespace Psd2.ServiceDefaults.Integrations;

public static class ConnectionStrings
{
    /// <summary>A connection string named in Aspire's convention, or a start-up error that says which variable is missing.</summary>
    public static string Required(IConfiguration configuration, string connectionName) =>
        configuration.GetConnectionString(connectionName) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"Connection string '{connectionName}' is missing: set ConnectionStrings__{connectionName} (the AppHost does this).");
}
