using System.Diagnostics;
using Npgsql;
using Psd2.AppHost.Hosting;

namespace Psd2.AppHost.Resources;

/// <summary>
/// PostgreSQL from the machine's own binaries (Debian's <c>postgresql</c> package), data in the state folder,
/// <c>initdb</c> on first run, on a free loopback port, with a generated password. As root it runs as the
/// <c>postgres</c> user, since PostgreSQL refuses root. The databases are created once it answers.
/// </summary>
public sealed class PostgresServer
{
    private readonly List<string> _databases = [];
    private readonly string _binFolder;
    private readonly string _dataFolder;
    private readonly string _password;
    private readonly int _port;
    private readonly DistributedApplicationBuilder _builder;

    internal PostgresServer(DistributedApplicationBuilder builder, string name)
    {
        _builder = builder;
        _binFolder = Prerequisites.FindPostgresBin() ?? throw new MissingPrerequisiteException(
            "PostgreSQL server binaries (postgres, initdb) were not found on PATH or in /usr/lib/postgresql/*/bin. " +
            "Install them with: apt-get install -y postgresql");
        var folder = Path.Combine(builder.Options.StateFolder, name);
        _dataFolder = Path.Combine(folder, "data");
        _port = Ports.FindFree();
        _password = PrivateFile.Secret(Path.Combine(folder, "password"));
        var disposable = builder.Options.DisposableStorage;

        Resource = builder.AddResource(name, "executable", cancellationToken => PrepareAsync(folder, disposable, cancellationToken));
        Resource.WithEndpoint("tcp", new Uri($"tcp://127.0.0.1:{_port}"));
        Resource.Probe = ProbeAsync;
        Resource.StopSignal = Signals.SIGINT;
    }

    public Resource Resource { get; }

    public ConnectionStringReference AddDatabase(string name)
    {
        _databases.Add(name);
        return _builder.AddConnectionString(new ConnectionStringReference(name, ConnectionString(name), Resource));
    }

    public string ConnectionString(string database) =>
        $"Host=127.0.0.1;Port={_port};Username=postgres;Password={_password};Database={database}";

    private async Task<LaunchSpec> PrepareAsync(string folder, bool disposable, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(folder);
        var socketFolder = Path.Combine(folder, "run");
        Directory.CreateDirectory(socketFolder);
        if (Signals.IsRoot)
        {
            await RunAsync("chown", ["-R", "postgres:postgres", folder], asPostgres: false, cancellationToken);
        }

        await StopOrphanAsync(cancellationToken);
        if (!File.Exists(Path.Combine(_dataFolder, "PG_VERSION")))
        {
            var passwordFile = Path.Combine(folder, "initdb-password");
            await File.WriteAllTextAsync(passwordFile, _password, cancellationToken);
            await RunAsync("chmod", ["a+r", passwordFile], asPostgres: false, cancellationToken);
            try
            {
                await RunAsync(Path.Combine(_binFolder, "initdb"),
                    ["-D", _dataFolder, "-U", "postgres", "--auth=scram-sha-256", $"--pwfile={passwordFile}", "-E", "UTF8", "--locale=C", "--no-sync"],
                    asPostgres: true, cancellationToken);
            }
            finally
            {
                File.Delete(passwordFile);
            }
        }

        string[] arguments =
        [
            "-D", _dataFolder, "-p", _port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-c", "listen_addresses=127.0.0.1", "-c", $"unix_socket_directories={socketFolder}",
            "-c", "max_connections=200", .. disposable ? ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"] : Array.Empty<string>(),
        ];
        return AsPostgresUser(Path.Combine(_binFolder, "postgres"), arguments, folder);
    }

    /// <summary>
    /// A server left running by an AppHost that was killed outright still owns the data folder, and a new one
    /// would refuse to start. Its pid is in postmaster.pid; stop it the way a clean shutdown would have.
    /// </summary>
    private async Task StopOrphanAsync(CancellationToken cancellationToken)
    {
        var pidFile = Path.Combine(_dataFolder, "postmaster.pid");
        if (!File.Exists(pidFile) || !int.TryParse(File.ReadLines(pidFile).FirstOrDefault(), out var pid))
        {
            return;
        }

        var commandLine = File.Exists($"/proc/{pid}/cmdline") ? await File.ReadAllTextAsync($"/proc/{pid}/cmdline", cancellationToken) : "";
        if (!commandLine.Contains(_dataFolder, StringComparison.Ordinal))
        {
            return;
        }

        Resource.Log.Add($"stopping PostgreSQL {pid} left running by an earlier AppHost", isError: true);
        Signals.Send(pid, Signals.SIGINT);
        using var process = Process.GetProcessById(pid);
        using var grace = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        grace.CancelAfter(TimeSpan.FromSeconds(10));
        await process.WaitForExitAsync(grace.Token);
    }

    private async Task<bool> ProbeAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = new NpgsqlConnection(ConnectionString("postgres") + ";Timeout=3;Pooling=false");
            await connection.OpenAsync(cancellationToken);
            foreach (var database in _databases)
            {
                await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = $1", connection) { Parameters = { new() { Value = database } } };
                if (await exists.ExecuteScalarAsync(cancellationToken) is null)
                {
                    await using var create = new NpgsqlCommand($"CREATE DATABASE \"{database}\"", connection);
                    await create.ExecuteNonQueryAsync(cancellationToken);
                }
            }

            return true;
        }
        catch (Exception exception) when (exception is NpgsqlException or TimeoutException or IOException)
        {
            return false;
        }
    }

    private static LaunchSpec AsPostgresUser(string program, IReadOnlyList<string> arguments, string workingDirectory) =>
        Signals.IsRoot
            // setpriv execs in place (no extra process), so the pid the AppHost holds is the server's own.
            ? new LaunchSpec("setpriv", ["--reuid=postgres", "--regid=postgres", "--init-groups", "--", program, .. arguments], workingDirectory)
            : new LaunchSpec(program, arguments, workingDirectory);

    private static async Task RunAsync(string program, IReadOnlyList<string> arguments, bool asPostgres, CancellationToken cancellationToken)
    {
        var spec = asPostgres ? AsPostgresUser(program, arguments, "/") : new LaunchSpec(program, arguments, "/");
        var start = new ProcessStartInfo(spec.FileName) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = spec.WorkingDirectory };
        foreach (var argument in spec.Arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var errors = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{Path.GetFileName(program)} failed ({process.ExitCode}): {await errors}{await output}");
        }
    }
}
