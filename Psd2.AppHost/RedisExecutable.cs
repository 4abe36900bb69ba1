using Microsoft.Extensions.DependencyInjection;
namespace Psd2.AppHost;

/// <summary>Redis run from the machine's <c>redis-server</c> (Debian's <c>redis-server</c>), with Aspire's connection-string shape.</summary>
public sealed class RedisExecutableResource(string name, string workingDirectory, ParameterResource password)
    : ExecutableResource(name, "redis-server", workingDirectory), IResourceWithConnectionString
{
    public EndpointReference PrimaryEndpoint => new(this, "tcp");

    public ParameterResource Password { get; } = password;

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"{PrimaryEndpoint.Property(EndpointProperty.Host)}:{PrimaryEndpoint.Property(EndpointProperty.Port)},password={Password}");
}

internal static class RedisExecutable
{
    /// <summary>Password protected, loopback only, nothing persisted: what is in Redis is a cache or can be rebuilt.</summary>
    public static IResourceBuilder<RedisExecutableResource> AddRedisExecutable(this IDistributedApplicationBuilder builder, string name, StateFolder state)
    {
        if (!File.Exists("/usr/bin/redis-server") && !File.Exists("/usr/local/bin/redis-server"))
        {
            throw new DistributedApplicationException("redis-server was not found and no container engine answers. Install it with: apt-get install -y redis-server");
        }

        var folder = state.Combine(name);
        var config = Path.Combine(folder, "redis.conf");
        var password = builder.AddParameter($"{name}-password", state.Secret(Path.Combine(name, "password")), secret: true);
        var redis = new RedisExecutableResource(name, folder, password.Resource);
        // The password goes in a private config file: as an argument it would show in `ps`.
        builder.Eventing.Subscribe<BeforeResourceStartedEvent>(redis, async (_, token) =>
        {
            Directory.CreateDirectory(folder);
            StateFolder.WritePrivate(config, $"requirepass {await password.Resource.GetValueAsync(token)}\nsave \"\"\nappendonly no\ndir {folder}\n");
        });

        string? connectionString = null;
        builder.Eventing.Subscribe<ConnectionStringAvailableEvent>(redis, async (_, token) => connectionString = await ((IResourceWithConnectionString)redis).GetConnectionStringAsync(token));
        var healthCheck = $"{name}_check";
        builder.Services.AddHealthChecks().AddRedis(_ => connectionString ?? throw new InvalidOperationException("The connection string is not known yet."), name: healthCheck);

        return builder.AddResource(redis)
            .WithDirectEndpoint("tcp")
            .WithArgs(context =>
            {
                context.Args.Add(config);
                context.Args.Add("--bind");
                context.Args.Add("127.0.0.1");
                context.Args.Add("--port");
                context.Args.Add(redis.PrimaryEndpoint.Property(EndpointProperty.TargetPort));
            })
            .WithIconName("Memory")
            .WithHealthCheck(healthCheck);
    }
}
