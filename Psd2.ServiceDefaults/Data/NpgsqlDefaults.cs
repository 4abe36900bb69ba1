using Npgsql;

namespace Psd2.ServiceDefaults.Data;

/// <summary>Settings every service's <see cref="NpgsqlDataSource"/> shares, for Aspire's <c>AddNpgsqlDataSource(name, configureDataSourceBuilder: ...)</c>.</summary>
public static class NpgsqlDefaults
{
    /// <summary>
    /// Hot statements are prepared once per connection instead of parsed and planned on every call, unless the
    /// connection string says otherwise.
    /// </summary>
    public static void PrepareHotStatements(NpgsqlDataSourceBuilder dataSource)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        if (!dataSource.ConnectionString.Contains("Auto Prepare", StringComparison.OrdinalIgnoreCase))
        {
            dataSource.ConnectionStringBuilder.MaxAutoPrepare = 50;
        }
    }
}
