using Microsoft.Extensions.Configuration;

namespace Psd2.AppHost;

/// <summary>PostgreSQL and Redis: servers elsewhere, Aspire's containers, or the machine's binaries.</summary>
internal static class Infrastructure
{
    /// <summary>
    /// The databases <paramref name="names"/> on one PostgreSQL server named <paramref name="server"/>. Given
    /// <c>ConnectionStrings:&lt;name&gt;</c> for every database, no server is started (external mode).
    /// </summary>
    public static IResourceBuilder<IResourceWithConnectionString>[] AddPostgresDatabases(
        this IDistributedApplicationBuilder builder, string server, StateFolder state, params string[] names)
    {
        if (names.All(name => builder.Configuration.GetConnectionString(name) is { Length: > 0 }))
        {
            return [.. names.Select(name => builder.AddConnectionString(name))];
        }

        if (ContainerEngine.Use(builder))
        {
            var postgres = builder.AddPostgres(server).WithLifetime(ContainerLifetime.Session);
            if (!state.Disposable)
            {
                postgres.WithDataVolume();
            }

            return [.. names.Select(name => (IResourceBuilder<IResourceWithConnectionString>)postgres.AddDatabase(name))];
        }

        var executable = builder.AddPostgresExecutable(server, state);
        return [.. names.Select(name => (IResourceBuilder<IResourceWithConnectionString>)executable.AddDatabase(name))];
    }

    /// <summary>Redis named <paramref name="name"/>, or <c>ConnectionStrings:&lt;name&gt;</c> when given.</summary>
    public static IResourceBuilder<IResourceWithConnectionString> AddRedisServer(this IDistributedApplicationBuilder builder, string name, StateFolder state)
    {
        if (builder.Configuration.GetConnectionString(name) is { Length: > 0 })
        {
            return builder.AddConnectionString(name);
        }

        return ContainerEngine.Use(builder) ? builder.AddRedis(name) : builder.AddRedisExecutable(name, state);
    }
}
