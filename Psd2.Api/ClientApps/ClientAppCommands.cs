using System.Text.Json;
using Psd2.Core.ClientApps;
using Psd2.Core.Persistence;
using Psd2.ServiceDefaults.Data;
using StackExchange.Redis;

namespace Psd2.Api.ClientApps;

/// <summary>
/// <c>Psd2.Api clientapps ...</c>: creates client apps and manages their keys against psd2db, then exits. A key is
/// printed once, here, and never again.
/// </summary>
public static class ClientAppCommands
{
    public const string Usage = """
        usage:
          Psd2.Api clientapps create --name <name> [--redirect-uri <uri>]...
          Psd2.Api clientapps add-key --client-app <id>
          Psd2.Api clientapps revoke-key --client-app <id> --key <id>
        psd2db comes from ConnectionStrings__psd2db, as for the service; with ConnectionStrings__redis, a revoked
        key stops working in every running api at once, otherwise within 30 seconds.
        """;

    public static bool Handles(string[] args) => args is ["clientapps", ..];

    public static async Task<int> RunAsync(string[] args)
    {
        var builder = Host.CreateApplicationBuilder();
        // Stdout carries the JSON result alone: warnings and errors go to stderr, nothing below them is written.
        builder.Logging.ClearProviders();
        builder.Logging.AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.AddFilter((_, level) => level >= LogLevel.Warning);
        builder.AddNpgsqlDataSource("psd2db", configureDataSourceBuilder: NpgsqlDefaults.Configure);
        builder.AddPsd2DbContext();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddScoped<ClientAppAdmin>();
        using var host = builder.Build();
        await using var scope = host.Services.CreateAsyncScope();
        var admin = scope.ServiceProvider.GetRequiredService<ClientAppAdmin>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        try
        {
            object result = args switch
            {
                ["clientapps", "create", .. var rest] => await admin.CreateAsync(Option(rest, "--name") ?? "", Options(rest, "--redirect-uri"), timeout.Token),
                ["clientapps", "add-key", .. var rest] => await admin.CreateKeyAsync(Id(rest, "--client-app"), timeout.Token),
                ["clientapps", "revoke-key", .. var rest] => await RevokeAsync(admin, builder.Configuration, Id(rest, "--client-app"), Id(rest, "--key"), timeout.Token),
                _ => throw new ClientAppException(Usage),
            };
            Console.WriteLine(JsonSerializer.Serialize(result, JsonSerializerOptions.Web));
            return 0;
        }
        catch (ClientAppException e)
        {
            await Console.Error.WriteLineAsync(e.Message);
            return 2;
        }
    }

    private static async Task<object> RevokeAsync(ClientAppAdmin admin, IConfiguration configuration, Guid clientAppId, Guid keyId, CancellationToken cancellationToken)
    {
        var prefix = await admin.RevokeKeyAsync(clientAppId, keyId, cancellationToken);
        var told = false;
        if (configuration.GetConnectionString("redis") is { Length: > 0 } redis)
        {
            try
            {
                using var connection = await ConnectionMultiplexer.ConnectAsync(redis);
                await VerifiedKeys.PublishRevokedAsync(connection, prefix).WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
                told = true;
            }
            catch (Exception e) when (e is RedisException or TimeoutException)
            {
                await Console.Error.WriteLineAsync($"Redis could not be told ({e.Message}).");
            }
        }

        if (!told)
        {
            await Console.Error.WriteLineAsync($"Revoked; running api processes may accept the key for up to {VerifiedKeys.Lifetime.TotalSeconds:0} seconds more.");
        }

        return new { revoked = keyId };
    }

    private static string? Option(string[] args, string name) => Options(args, name).FirstOrDefault();

    private static List<string> Options(string[] args, string name) =>
        args.Select((value, i) => (value, i)).Where(a => a.value == name && a.i + 1 < args.Length).Select(a => args[a.i + 1]).ToList();

    private static Guid Id(string[] args, string name) =>
        Guid.TryParse(Option(args, name), out var id) ? id : throw new ClientAppException($"{name} <id> is required.\n{Usage}");
}
