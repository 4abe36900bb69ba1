using Npgsql;
using Psd2.ServiceDefaults.Data;

namespace Psd2.ServiceDefaults.Tests;

public sealed class NpgsqlDefaultsTests
{
    [Fact]
    public void Hot_statements_are_prepared_and_connections_not_reset_by_default()
    {
        var dataSource = new NpgsqlDataSourceBuilder("Host=db;Database=psd2db");

        NpgsqlDefaults.Configure(dataSource);

        Assert.Equal(50, dataSource.ConnectionStringBuilder.MaxAutoPrepare);
        Assert.True(dataSource.ConnectionStringBuilder.NoResetOnClose);
    }

    [Theory]
    [InlineData("Host=db;Database=psd2db;Max Auto Prepare=0", 0)]
    [InlineData("Host=db;Database=psd2db;Max Auto Prepare=200", 200)]
    public void The_connection_strings_own_setting_is_kept(string connectionString, int expected)
    {
        var dataSource = new NpgsqlDataSourceBuilder(connectionString);

        NpgsqlDefaults.Configure(dataSource);

        Assert.Equal(expected, dataSource.ConnectionStringBuilder.MaxAutoPrepare);
    }

    [Fact]
    public void The_connection_strings_own_reset_setting_is_kept()
    {
        var dataSource = new NpgsqlDataSourceBuilder("Host=db;Database=psd2db;No Reset On Close=false");

        NpgsqlDefaults.Configure(dataSource);

        Assert.False(dataSource.ConnectionStringBuilder.NoResetOnClose);
    }
}
