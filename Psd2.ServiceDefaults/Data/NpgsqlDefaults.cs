using Npgsql;

namespace Psd2.ServiceDefaults.Data;

/// <summary>Settings every service's <see cref="NpgsqlDataSource"/> shares, for Aspire's <c>AddNpgsqlDataSource(name, configureDataSourceBuilder: ...)</c>.</summary>
public static class NpgsqlDefaults
{
    /// <summary>
    /// Unless the connection string says otherwise: hot statements are prepared once per connection instead of parsed
    /// and planned on every call, and a connection goes back to the pool without a reset. The reset (close cursors,
    /// <c>RESET ALL</c>, <c>UNLISTEN *</c>, release session advisory locks, drop temporary tables) is seven statements
    /// PostgreSQL parses before the next command on that connection, every time; the services leave no session state
    /// behind (their advisory locks and temporary tables end with the transaction, the migrator's lock is released in a
    /// finally, Hangfire has a pool of its own).
    /// </summary>
    public static void Configure(NpgsqlDataSourceBuilder dataSource)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        if (!dataSource.ConnectionString.Contains("Auto Prepare", StringComparison.OrdinalIgnoreCase))
        {
            dataSource.ConnectionStringBuilder.MaxAutoPrepare = 50;
        }

        if (!dataSource.ConnectionString.Contains("Reset On Close", StringComparison.OrdinalIgnoreCase))
        {
            dataSource.ConnectionStringBuilder.NoResetOnClose = true;
        }
    }
}
