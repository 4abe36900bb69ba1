using System.Diagnostics;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Psd2.AppHost;
using Psd2.SandboxPki;

namespace Psd2.IntegrationTests.Harness;

/// <summary>
/// The real AppHost started through Aspire.Hosting.Testing, with a throwaway state folder; what tests need beyond
/// Aspire's own API: clients that trust the sandbox CA, the state folder's secrets, and every resource's console
/// output kept in a file for the scan for secrets.
/// <code>await using var app = await TestApp.StartAsync(ct);</code>
/// </summary>
public sealed class TestApp : IAsyncDisposable
{
    private readonly string _stateFolder;
    private readonly bool _ownsStateFolder;
    private readonly CancellationTokenSource _logWatch = new();
    private readonly List<Task> _logWriters = [];
    private readonly Dictionary<string, string> _connectionStrings = new(StringComparer.Ordinal);
    private bool _stopped;

    private TestApp(DistributedApplication app, string stateFolder, bool ownsStateFolder)
    {
        App = app;
        _stateFolder = stateFolder;
        _ownsStateFolder = ownsStateFolder;
        Certificates = SandboxPkiFiles.In(Path.Combine(stateFolder, "pki"));
        var model = app.Services.GetRequiredService<DistributedApplicationModel>();
        ResourceNames = model.Resources.Where(r => r is not ParameterResource).Select(r => r.Name).ToList();
        ProcessNames = model.Resources.OfType<ExecutableResource>().Select(r => r.Name).ToList();
    }

    public DistributedApplication App { get; }

    /// <summary>From the call to every resource healthy.</summary>
    public TimeSpan StartupTime { get; private set; }

    public SandboxPkiFiles Certificates { get; }

    public string StateFolder => _stateFolder;

    /// <summary>Every resource of the model that runs a process or stands for a server, in the model's order.</summary>
    public IReadOnlyList<string> ResourceNames { get; }

    /// <summary>The resources that run a process of their own (read while the app runs: stopping it disposes its services).</summary>
    public IReadOnlyList<string> ProcessNames { get; }

    /// <summary>The X-Admin-Key of the sandbox bank's /sandbox controls.</summary>
    public string SandboxAdminKey => File.ReadAllText(Path.Combine(_stateFolder, Psd2.AppHost.StateFolder.SandboxAdminKeyFile)).Trim();

    /// <summary>The password of the workers' Hangfire dashboard for operators (user <c>operator</c>).</summary>
    public string JobsOperatorPassword => File.ReadAllText(Path.Combine(_stateFolder, Psd2.AppHost.StateFolder.JobsOperatorPasswordFile)).Trim();

    /// <summary>The password of the workers' Hangfire dashboard for viewers (user <c>viewer</c>, read-only).</summary>
    public string JobsViewerPassword => File.ReadAllText(Path.Combine(_stateFolder, Psd2.AppHost.StateFolder.JobsViewerPasswordFile)).Trim();

    /// <summary>The secret api and worker encrypt bank tokens with (<c>Tokens:EncryptionKey</c>).</summary>
    public string TokenEncryptionKey => File.ReadAllText(Path.Combine(_stateFolder, Psd2.AppHost.StateFolder.TokenEncryptionKeyFile)).Trim();

    /// <summary>Each resource's console output by resource name, in <c>logs/</c> of the state folder; complete once <see cref="StopAsync"/> returns.</summary>
    public Dictionary<string, string> LogFiles { get; } = new(StringComparer.Ordinal);

    public static async Task<TestApp> StartAsync(CancellationToken cancellationToken, Action<TestAppSettings>? configure = null)
    {
        var settings = new TestAppSettings();
        configure?.Invoke(settings);
        var ownsFolder = settings.StateFolder is null;
        var stateFolder = settings.StateFolder ?? Path.Combine(Path.GetTempPath(), "psd2-test-" + Guid.NewGuid().ToString("N")[..12]);
        var clock = Stopwatch.StartNew();
        List<string> args =
        [
            $"--AppHost:StateFolder={stateFolder}",
            "--AppHost:DisposableData=true",
            "--AppHost:ServiceEnvironment=Testing",
            $"--AppHost:WorkerReplicas={settings.WorkerReplicas}",
            .. settings.ExternalConnectionStrings.Select(c => $"--ConnectionStrings:{c.Key}={c.Value}"),
        ];
        if (settings.Dashboard)
        {
            args.AddRange([
                $"--ASPNETCORE_URLS=http://127.0.0.1:{DirectEndpoints.FreePort()}",
                $"--ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL=http://127.0.0.1:{DirectEndpoints.FreePort()}",
                $"--ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL=http://127.0.0.1:{DirectEndpoints.FreePort()}",
                "--ASPIRE_ALLOW_UNSECURED_TRANSPORT=true",
            ]);
        }

        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Psd2_AppHost>(
            [.. args], (options, _) => options.DisableDashboard = !settings.Dashboard, cancellationToken);
        builder.Services.AddLogging(logging => logging
            // Every resource's checks fail until it is up: expected, and not worth a stack trace each.
            .AddFilter("Microsoft.Extensions.Diagnostics.HealthChecks", LogLevel.None)
            .AddFilter("Aspire.Hosting", LogLevel.Warning)
            // The resources' own output is kept in LogFiles, and shown here only when asked for.
            .AddFilter($"{builder.Environment.ApplicationName}.Resources", settings.EchoConsole ? LogLevel.Information : LogLevel.None));
        if (!settings.Dashboard)
        {
            // Without the dashboard nothing receives OTLP: exporting would only fail, batch after batch.
            foreach (var service in builder.Resources.OfType<ServiceResource>())
            {
                builder.CreateResourceBuilder(service).WithEnvironment(context => context.EnvironmentVariables.Remove("OTEL_EXPORTER_OTLP_ENDPOINT"));
            }
        }

        foreach (var service in builder.Resources.OfType<ServiceResource>().Where(s => s.Name is "api" || s.Name.StartsWith("worker", StringComparison.Ordinal)))
        {
            var resource = builder.CreateResourceBuilder(service);
            if (settings.TestClock)
            {
                resource.WithEnvironment("TestClock__Enabled", "true");
            }

            foreach (var (name, value) in settings.ServiceSettings)
            {
                resource.WithEnvironment(name, value);
            }
        }

        var app = await builder.BuildAsync(cancellationToken);
        var testApp = new TestApp(app, stateFolder, ownsFolder);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(settings.StartupTimeout);
            await app.StartAsync(timeout.Token);
            testApp.KeepLogs();
            await testApp.WaitForAllHealthyAsync(timeout.Token);
            testApp.StartupTime = clock.Elapsed;
            return testApp;
        }
        catch
        {
            await testApp.StopAsync();
            testApp.PrintLogTails();
            await testApp.DisposeAsync();
            throw;
        }
    }

    // A start that failed says why in the test's output: the state folder, with the logs, goes on dispose.
    private void PrintLogTails()
    {
        foreach (var resource in LogFiles.Keys.Where(name => File.Exists(LogFiles[name])))
        {
            Console.WriteLine($"--- the last lines of {resource}'s output ---");
            foreach (var line in LogTail(resource, 40))
            {
                Console.WriteLine(line);
            }
        }
    }

    private async Task WaitForAllHealthyAsync(CancellationToken cancellationToken)
    {
        var notifications = App.ResourceNotifications;
        var model = App.Services.GetRequiredService<DistributedApplicationModel>();
        await Task.WhenAll(model.Resources.Where(r => r is not ParameterResource).Select(async resource =>
        {
            if (resource.Name == "migrator")
            {
                await notifications.WaitForResourceAsync(resource.Name, KnownResourceStates.Finished, cancellationToken);
            }
            else
            {
                await notifications.WaitForResourceHealthyAsync(resource.Name, cancellationToken);
            }
        }));
        foreach (var resource in model.Resources.OfType<IResourceWithConnectionString>())
        {
            _connectionStrings[resource.Name] = await resource.GetConnectionStringAsync(cancellationToken) ?? "";
        }
    }

    /// <summary>
    /// Copies each resource's console output to its file as it arrives. Called once DCP named the resources' instances
    /// (their logs are kept under those names); the first watcher of a resource gets its output from the first line.
    /// </summary>
    private void KeepLogs()
    {
        var loggers = App.Services.GetRequiredService<ResourceLoggerService>();
        var folder = Directory.CreateDirectory(Path.Combine(_stateFolder, "logs")).FullName;
        foreach (var resource in App.Services.GetRequiredService<DistributedApplicationModel>().Resources.Where(r => r is not ParameterResource))
        {
            var file = Path.Combine(folder, resource.Name + ".log");
            LogFiles[resource.Name] = file;
            _logWriters.Add(Task.Run(async () =>
            {
                await using var writer = new StreamWriter(file) { AutoFlush = true };
                try
                {
                    await foreach (var lines in loggers.WatchAsync(resource).WithCancellation(_logWatch.Token))
                    {
                        foreach (var line in lines)
                        {
                            await writer.WriteLineAsync(line.Content);
                        }
                    }
                }
                catch (OperationCanceledException)
                {
                }
            }));
        }
    }

    /// <summary>
    /// The Aspire dashboard's address as a browser reaches it (only with <see cref="TestAppSettings.Dashboard"/>): the
    /// <c>aspire-dashboard</c> resource's <c>http</c> endpoint, which DCP proxies to the port the dashboard listens on.
    /// </summary>
    public Uri DashboardUrl => new(GetEndpoint("aspire-dashboard").GetLeftPart(UriPartial.Authority) + "/");

    /// <summary>The dashboard's login link with its browser token (<c>AppHost:BrowserToken</c>): opening it signs the browser in.</summary>
    public Uri DashboardLoginUrl =>
        new(DashboardUrl, "login?t=" + Uri.EscapeDataString(App.Services.GetRequiredService<IConfiguration>()["AppHost:BrowserToken"]
            ?? throw new InvalidOperationException("The AppHost has no AppHost:BrowserToken: was it started with the dashboard?")));

    public string GetConnectionString(string name) =>
        _connectionStrings.TryGetValue(name, out var value) ? value : throw new KeyNotFoundException($"No connection string '{name}'.");

    public Uri GetEndpoint(string resource, string endpoint = "http") => App.GetEndpoint(resource, endpoint);

    /// <summary>
    /// An HttpClient for a resource's endpoint. HTTPS endpoints trust the sandbox CA; pass a client certificate
    /// (e.g. the TPP's QWAC from <see cref="Certificates"/>) for the bank's mutual-TLS endpoint.
    /// </summary>
    /// <param name="through">A handler the requests pass through first (it sends them on with the client's own).</param>
    public HttpClient CreateHttpClient(
        string resource, string endpoint = "http", X509Certificate2? clientCertificate = null, bool followRedirects = true, DelegatingHandler? through = null)
    {
        var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                CertificateChainPolicy = SandboxCertificates.TrustingOnly(Certificates.CaCertificate),
                ClientCertificates = clientCertificate is null ? null : [clientCertificate],
            },
            AllowAutoRedirect = followRedirects,
        };
        if (through is not null)
        {
            through.InnerHandler = handler;
        }

        return new HttpClient(through ?? (HttpMessageHandler)handler) { BaseAddress = GetEndpoint(resource, endpoint), Timeout = TimeSpan.FromSeconds(30) };
    }

    /// <summary>The resource's latest snapshot as the dashboard shows it.</summary>
    public CustomResourceSnapshot Snapshot(string name) =>
        App.ResourceNotifications.TryGetCurrentState(name, out var state) ? state.Snapshot : throw new KeyNotFoundException($"No resource '{name}'.");

    /// <summary>The process a resource runs now, if any.</summary>
    public int? ProcessId(string name) =>
        Snapshot(name).Properties.FirstOrDefault(p => p.Name == "executable.pid")?.Value is { } pid ? Convert.ToInt32(pid, System.Globalization.CultureInfo.InvariantCulture) : null;

    /// <summary>The last lines a resource printed.</summary>
    public IReadOnlyList<string> LogTail(string name, int lines) => File.ReadLines(LogFiles[name]).TakeLast(lines).ToList();

    public Task WaitForHealthyAsync(string name, CancellationToken cancellationToken) =>
        App.ResourceNotifications.WaitForResourceHealthyAsync(name, cancellationToken);

    public Task WaitForStateAsync(string name, CancellationToken cancellationToken, IEnumerable<string> states) =>
        App.ResourceNotifications.WaitForResourceAsync(name, states, cancellationToken);

    /// <summary>Stops and starts one resource, as the dashboard's restart command does.</summary>
    public Task RestartAsync(string name) => ExecuteAsync(name, KnownResourceCommands.RestartCommand);

    public Task StartResourceAsync(string name) => ExecuteAsync(name, KnownResourceCommands.StartCommand);

    public Task StopResourceAsync(string name) => ExecuteAsync(name, KnownResourceCommands.StopCommand);

    private async Task ExecuteAsync(string name, string command)
    {
        var resource = App.Services.GetRequiredService<DistributedApplicationModel>().Resources.Single(r => r.Name == name);
        var result = await App.ResourceCommands.ExecuteCommandAsync(resource, command);
        if (!result.Success)
        {
            throw new InvalidOperationException($"{command} on {name} failed: {result.Message}");
        }
    }

    /// <summary>
    /// Ends a resource's process at once (SIGKILL), as a crashed node would end: no shutdown, no cleanup. Returns once
    /// the orchestrator reports the exit, so a later start finds the resource stopped rather than still running.
    /// </summary>
    public async Task KillAsync(string name)
    {
        using (var process = Process.GetProcessById(ProcessId(name) ?? throw new InvalidOperationException($"'{name}' runs no process.")))
        {
            process.Kill(entireProcessTree: true);
        }

        using var exited = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await WaitForStateAsync(name, exited.Token, KnownResourceStates.TerminalStates);
    }

    /// <summary>Stops every resource and completes the log files, keeping the state folder until dispose.</summary>
    public async Task StopAsync()
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await App.StopAsync(timeout.Token);
        // The last lines reach the watchers a moment after the processes end.
        await Task.WhenAny(Task.WhenAll(_logWriters), Task.Delay(TimeSpan.FromSeconds(2)));
        await _logWatch.CancelAsync();
        await Task.WhenAll(_logWriters);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await App.DisposeAsync();
        _logWatch.Dispose();
        if (Environment.GetEnvironmentVariable("PSD2_TEST_KEEP_STATE") == "1")
        {
            Console.WriteLine($"Harness: state folder and logs kept in {_stateFolder}");
        }
        else if (_ownsStateFolder)
        {
            try
            {
                Directory.Delete(_stateFolder, recursive: true);
            }
            catch (IOException)
            {
                // A file still held by an exiting process; the OS temp cleaner takes the rest.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }
}

public sealed class TestAppSettings
{
    /// <summary>Reuse a state folder (kept after dispose); by default a fresh temporary one.</summary>
    public string? StateFolder { get; set; }
    public TimeSpan StartupTimeout { get; set; } = TimeSpan.FromSeconds(150);
    public IReadOnlyDictionary<string, string> ExternalConnectionStrings { get; set; } = new Dictionary<string, string>();
    /// <summary>Worker processes to run: <c>worker</c>, <c>worker-2</c>, ...</summary>
    public int WorkerReplicas { get; set; } = 1;
    /// <summary>Api and worker follow the test clock (an offset in Redis that tests set beside the sandbox bank's).</summary>
    public bool TestClock { get; set; }
    /// <summary>Write every resource's output to this process's console too.</summary>
    public bool EchoConsole { get; set; }
    /// <summary>Start the Aspire dashboard too (off by default in Aspire.Hosting.Testing).</summary>
    public bool Dashboard { get; set; }
    /// <summary>Extra settings for api and worker, as environment variables.</summary>
    public IReadOnlyDictionary<string, string> ServiceSettings { get; set; } = new Dictionary<string, string>();
}
