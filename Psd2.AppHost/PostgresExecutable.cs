using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Psd2.AppHost;

/// <summary>PostgreSQL run from the machine's binaries (Debian's <c>postgresql</c>), with Aspire's connection-string shape.</summary>
public sealed class PostgresExecutableResource(string name, string command, string workingDirectory, ParameterResource password)
    : ExecutableResource(name, command, workingDirectory), IResourceWithConnectionString
{
    public Dictionary<string, string> Databases { get; } = new(StringComparer.Ordinal);

    public EndpointReference PrimaryEndpoint => new(this, "tcp");

    public ParameterResource Password { get; } = password;

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"Host={PrimaryEndpoint.Property(EndpointProperty.Host)};Port={PrimaryEndpoint.Property(EndpointProperty.Port)};Username=postgres;Password={Password}");
}

/// <summary>One database of <see cref="PostgresExecutableResource"/>, created once the server answers.</summary>
public sealed class PostgresExecutableDatabaseResource(string name, string databaseName, PostgresExecutableResource parent)
    : Resource(name), IResourceWithParent<PostgresExecutableResource>, IResourceWithConnectionString
{
    public PostgresExecutableResource Parent { get; } = parent;

    public string DatabaseName { get; } = databaseName;

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create($"{Parent};Database={DatabaseName}");
}

internal static class PostgresExecutable
{
    private const string Major = "15";

    /// <summary>
    /// Data in <c>postgres/data</c> of the state folder (<c>initdb</c> on first start), listening on loopback only, as
    /// the <c>postgres</c> user when the AppHost runs as root (PostgreSQL refuses root).
    /// </summary>
    public static IResourceBuilder<PostgresExecutableResource> AddPostgresExecutable(this IDistributedApplicationBuilder builder, string name, StateFolder state)
    {
        var bin = FindBinaries();
        var folder = state.Combine(name);
        var data = Path.Combine(folder, "data");
        var password = builder.AddParameter($"{name}-password", state.Secret(Path.Combine(name, "password")), secret: true);
        // DCP stops executables with SIGTERM, which PostgreSQL takes as "smart" shutdown: wait for every client to
        // leave. The wrapper turns it into SIGINT, the fast shutdown, so a stop takes a second instead of minutes.
        var server = new PostgresExecutableResource(name, "bash", folder, password.Resource);
        string[] options =
        [
            "-D", data, "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=", "-c", "max_connections=200",
            .. state.Disposable ? ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"] : Array.Empty<string>(),
        ];

        string? connectionString = null;
        builder.Eventing.Subscribe<BeforeResourceStartedEvent>(server, (_, token) => InitializeAsync(bin, folder, data, password.Resource, token));
        builder.Eventing.Subscribe<ConnectionStringAvailableEvent>(server, async (_, token) =>
            connectionString = await ((IResourceWithConnectionString)server).GetConnectionStringAsync(token));
        builder.Eventing.Subscribe<ResourceReadyEvent>(server, async (@event, token) =>
        {
            await CreateDatabasesAsync(connectionString!, server.Databases.Values, token);
            var notifications = @event.Services.GetRequiredService<ResourceNotificationService>();
            foreach (var database in builder.Resources.OfType<PostgresExecutableDatabaseResource>().Where(d => d.Parent == server))
            {
                await notifications.PublishUpdateAsync(database, s => s with { State = KnownResourceStates.Running, StartTimeStamp = DateTime.UtcNow });
            }
        });
        var healthCheck = $"{name}_check";
        // No pooling: a pooled connection held by the AppHost would keep a server waiting at shutdown.
        builder.Services.AddHealthChecks().AddNpgSql(
            _ => (connectionString ?? throw new InvalidOperationException("The connection string is not known yet.")) + ";Database=postgres;Pooling=false;Timeout=3",
            name: healthCheck);

        return builder.AddResource(server)
            .WithDirectEndpoint("tcp")
            .WithArgs(context =>
            {
                context.Args.Add("-c");
                context.Args.Add("trap 'kill -INT $pid; wait $pid; exit $?' TERM INT; \"$@\" & pid=$!; wait $pid");
                context.Args.Add("postgres");
                foreach (var part in AsPostgresUser(Path.Combine(bin, "postgres")))
                {
                    context.Args.Add(part);
                }

                context.Args.Add("-p");
                context.Args.Add(server.PrimaryEndpoint.Property(EndpointProperty.TargetPort));
                foreach (var option in options)
                {
                    context.Args.Add(option);
                }
            })
            .WithIconName("DatabaseMultiple")
            .WithHealthCheck(healthCheck);
    }

    public static IResourceBuilder<PostgresExecutableDatabaseResource> AddDatabase(this IResourceBuilder<PostgresExecutableResource> server, string name)
    {
        server.Resource.Databases[name] = name;
        return server.ApplicationBuilder.AddResource(new PostgresExecutableDatabaseResource(name, name, server.Resource))
            .WithIconName("Database")
            .WithInitialState(new CustomResourceSnapshot
            {
                ResourceType = "PostgresDatabase",
                State = KnownResourceStates.NotStarted,
                Properties = [new("postgres.database", name)],
            });
    }

    private static async Task InitializeAsync(string bin, string folder, string data, ParameterResource password, CancellationToken token)
    {
        Directory.CreateDirectory(folder);
        if (Environment.IsPrivilegedProcess)
        {
            await RunAsync("chown", ["-R", "postgres:postgres", folder], token);
        }

        await StopOrphanAsync(data, token);
        if (File.Exists(Path.Combine(data, "PG_VERSION")))
        {
            return;
        }

        // initdb reads the superuser's password from a file the postgres user can read (not stdin: setpriv closes it).
        var passwordFile = Path.Combine(folder, "initdb-password");
        await File.WriteAllTextAsync(passwordFile, await password.GetValueAsync(token), token);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(passwordFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        if (Environment.IsPrivilegedProcess)
        {
            await RunAsync("chown", ["postgres:postgres", passwordFile], token);
        }

        try
        {
            string[] initdb = AsPostgresUser(Path.Combine(bin, "initdb"));
            await RunAsync(initdb[0], [.. initdb[1..], "-D", data, "-U", "postgres", "--auth=scram-sha-256", $"--pwfile={passwordFile}", "-E", "UTF8", "--locale=C", "--no-sync"],
                token);
        }
        finally
        {
            File.Delete(passwordFile);
        }
    }

    /// <summary>
    /// A server left running by an AppHost that was killed outright still owns the data folder and a new one would
    /// refuse to start; stop it the way a clean shutdown would have.
    /// </summary>
    private static async Task StopOrphanAsync(string data, CancellationToken token)
    {
        var pidFile = Path.Combine(data, "postmaster.pid");
        if (!File.Exists(pidFile) || !int.TryParse(File.ReadLines(pidFile).FirstOrDefault(), out var pid)
            || !File.Exists($"/proc/{pid}/cmdline") || !(await File.ReadAllTextAsync($"/proc/{pid}/cmdline", token)).Contains(data, StringComparison.Ordinal))
        {
            return;
        }

        await RunAsync("kill", ["-INT", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)], token);
        using var process = Process.GetProcessById(pid);
        using var grace = CancellationTokenSource.CreateLinkedTokenSource(token);
        grace.CancelAfter(TimeSpan.FromSeconds(10));
        await process.WaitForExitAsync(grace.Token);
    }

    private static async Task CreateDatabasesAsync(string connectionString, IEnumerable<string> databases, CancellationToken token)
    {
        await using var connection = new NpgsqlConnection(connectionString + ";Database=postgres;Pooling=false");
        await connection.OpenAsync(token);
        foreach (var database in databases)
        {
            await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = $1", connection) { Parameters = { new() { Value = database } } };
            if (await exists.ExecuteScalarAsync(token) is null)
            {
                await using var create = new NpgsqlCommand($"CREATE DATABASE \"{database}\"", connection);
                await create.ExecuteNonQueryAsync(token);
            }
        }
    }

    /// <summary>setpriv execs in place, so the process DCP watches is the server itself.</summary>
    private static string[] AsPostgresUser(string program) =>
        Environment.IsPrivilegedProcess ? ["setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--", program] : [program];

    private static string FindBinaries()
    {
        var candidates = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").OrderByDescending(d => int.TryParse(Path.GetFileName(d), out var v) ? v : 0).Select(d => Path.Combine(d, "bin"))
            : [];
        return candidates.FirstOrDefault(d => File.Exists(Path.Combine(d, "postgres")) && File.Exists(Path.Combine(d, "initdb")))
            ?? throw new DistributedApplicationException(
                $"PostgreSQL's server binaries were not found in /usr/lib/postgresql/*/bin and no container engine answers. Install them with: apt-get install -y postgresql (version {Major} or newer)");
    }

    private static async Task RunAsync(string program, IReadOnlyList<string> arguments, CancellationToken token)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = "/" };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(token);
        var errors = process.StandardError.ReadToEndAsync(token);
        await process.WaitForExitAsync(token);
        if (process.ExitCode != 0)
        {
            throw new DistributedApplicationException($"{Path.GetFileName(program)} failed ({process.ExitCode}): {await errors}{await output}");
        }
    }
}
