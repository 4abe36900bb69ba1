using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;
using System.Text.Json;
using Psd2.AppHost.Testing;

namespace Psd2.Bench;

/// <summary>
/// Starts the whole app, connects the sandbox bank's large PSU and measures, on the same mutual-TLS endpoint:
/// A, a cheap baseline; B, the first page of booked transactions; C, a later page reached through _links.next.
/// </summary>
public static class Program
{
    /// <summary>Lars Lindqvist, the café owner with over 100,000 booked transactions: SyntheticBank.LargePsu in the bank.</summary>
    private const string LargePsu = "197503152386";
    private const int FrequencyPerDay = 4;

    /// <summary>The account with the most booked transactions over this many recent days is the one measured.</summary>
    private const int SelectionDays = 30;

    private const double TargetPercent = 30;

    private static readonly string[] CpuOrder = ["bank", "postgres", CpuSampler.Other, CpuSampler.LoadGenerator];

    public static async Task<int> Main(string[] args)
    {
        BenchOptions? options;
        try
        {
            options = BenchOptions.Parse(args);
        }
        catch (ArgumentException e)
        {
            await Console.Error.WriteLineAsync(e.Message + Environment.NewLine + BenchOptions.Usage);
            return 2;
        }

        if (options is null)
        {
            Console.WriteLine(BenchOptions.Usage);
            return 0;
        }

        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };
        try
        {
            return await RunAsync(options, cancel.Token);
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            await Console.Error.WriteLineAsync("Cancelled.");
            return 130;
        }
    }

    private static async Task<int> RunAsync(BenchOptions options, CancellationToken cancellationToken)
    {
        Console.WriteLine("Psd2.Bench: sandbox bank throughput, Berlin Group AIS over mutual TLS");
        Console.WriteLine();
        Line("Machine", $"{Environment.ProcessorCount} logical cores{CpuModel()}, {GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024.0 * 1024 * 1024):0.0} GiB");
        Line("OS", $"{RuntimeInformation.OSDescription} ({RuntimeInformation.OSArchitecture}), {RuntimeInformation.FrameworkDescription}");
        var bankAssembly = BuildCheck.ServiceAssembly("Psd2.SandboxBank");
        var optimized = BuildCheck.IsOptimized(bankAssembly);
        Line("Build", $"bench {BuildCheck.BenchConfiguration}; services started from bin/{BuildCheck.ServicesConfiguration} "
            + $"(Psd2.SandboxBank.dll {(optimized switch { true => "optimized", false => "NOT optimized", null => "missing" })})");
        if (BuildCheck.BenchConfiguration != "Release" || optimized != true)
        {
            Console.WriteLine("  WARNING: not a Release build; run: dotnet run -c Release --project bench/Psd2.Bench");
        }

        Line("Load", $"{options.Concurrency} workers, closed loop, HTTP/1.1 keep-alive, at most {options.Concurrency} connections; "
            + $"warm-up {Seconds(options.Warmup)} s, then {Seconds(options.Duration)} s measured per scenario");
        Console.WriteLine();

        Console.WriteLine("Starting the app (PostgreSQL, Redis, sandbox bank, migrator, api, worker) ...");
        await using var app = await DistributedTestApp.StartAsync(cancellationToken, s => s.EchoConsole = options.EchoConsole);
        Line("Startup", $"{app.StartupTime.TotalSeconds:0.0} s to every resource healthy");

        if (options.Ingest)
        {
            return await IngestBench.RunAsync(app, LargePsu, cancellationToken) ? 0 : 1;
        }

        if (options.Export)
        {
            return await ExportScenario.RunAsync(app, LargePsu, cancellationToken) ? 0 : 1;
        }

        using var tpp = new SandboxTpp(app);
        var today = (await tpp.AdminGetAsync("/sandbox/clock", cancellationToken)).GetProperty("today").GetString()!;
        var bankDay = DateOnly.ParseExact(today, "yyyy-MM-dd", CultureInfo.InvariantCulture);
        var psu = await tpp.AdminGetAsync($"/sandbox/psus/{LargePsu}", cancellationToken);
        var connection = await tpp.ConnectAsync(LargePsu, FrequencyPerDay, cancellationToken);
        Line("Consent", $"{connection.ConsentId}: recurring, frequencyPerDay {FrequencyPerDay}, allAccounts; approved by PSU {LargePsu} "
            + $"({psu.GetProperty("name").GetString()}) on the BankID pages");

        // The measured account: the one with the most booked transactions lately (reads with PSU-IP-Address are free).
        var counts = new List<(JsonElement Account, int Booked)>();
        foreach (var account in psu.GetProperty("accounts").EnumerateArray())
        {
            var id = account.GetProperty("resourceId").GetString()!;
            var recent = await WalkAsync(tpp.Tpp, connection, TransactionsPath(id, bankDay.AddDays(-SelectionDays)), int.MaxValue, cancellationToken);
            counts.Add((account, recent.Booked));
        }

        var accountId = counts.MaxBy(c => c.Booked).Account.GetProperty("resourceId").GetString()!;
        foreach (var (account, booked) in counts)
        {
            var id = account.GetProperty("resourceId").GetString();
            Line(id == accountId ? "Account *" : "Account", string.Create(CultureInfo.InvariantCulture,
                $"{id} {account.GetProperty("iban").GetString()} {account.GetProperty("currency").GetString()} "
                + $"\"{account.GetProperty("name").GetString()}\": {booked} booked in the last {SelectionDays} days ({(double)booked / SelectionDays:0.0}/day)"));
        }

        var dateFrom = bankDay.AddYears(-2);
        var firstPage = TransactionsPath(accountId, dateFrom);
        var first = await WalkAsync(tpp.Tpp, connection, firstPage, 1, cancellationToken);
        var deep = await WalkAsync(tpp.Tpp, connection, firstPage, options.DeepPage, cancellationToken);
        var deepPage = deep.LastPath;
        Line("Page 1", $"{first.LastBooked} booked transactions, {first.LastBytes:N0} bytes of JSON ({first.LastBytes / Math.Max(1, first.LastBooked):N0} bytes each)");
        Line($"Page {options.DeepPage}", $"{deep.LastBooked} booked transactions, {deep.LastBytes:N0} bytes of JSON; its URL: {Shorten(deepPage)}");

        using var load = tpp.CreateLoadClient(options.Concurrency);
        using var health = await load.GetAsync(new Uri("/health", UriKind.Relative), cancellationToken);
        var healthReachable = health.StatusCode == HttpStatusCode.OK;
        var statusPath = $"/v1/consents/{connection.ConsentId}/status";
        var scenarios = new List<Scenario>();
        if (healthReachable)
        {
            scenarios.Add(new("A", "GET /health (mTLS endpoint; 1 DB health check, no QWAC check)", () => SandboxTpp.Read("/health")));
            scenarios.Add(new("A2", "GET /v1/consents/{id}/status (QWAC check + 1 DB row)", () => SandboxTpp.Read(statusPath)));
        }
        else
        {
            Console.WriteLine($"  /health answers {(int)health.StatusCode} on the mTLS endpoint: the baseline is the consent status instead.");
            scenarios.Add(new("A", "GET /v1/consents/{id}/status (QWAC check + 1 DB row)", () => SandboxTpp.Read(statusPath)));
        }

        scenarios.Add(new("B", $"GET transactions page 1 (booked, dateFrom {dateFrom:yyyy-MM-dd}, {first.LastBooked} tx)", () => SandboxTpp.Read(firstPage, connection)));
        scenarios.Add(new("C", $"GET transactions page {options.DeepPage} via _links.next ({deep.LastBooked} tx)", () => SandboxTpp.Read(deepPage, connection)));
        Console.WriteLine();

        var cpu = new CpuSampler(ProcessGroups(app), Environment.ProcessId);
        foreach (var scenario in scenarios)
        {
            cancellationToken.ThrowIfCancellationRequested();
            connection = await tpp.RefreshAsync(connection, cancellationToken); // access tokens live 5 minutes under the harness
            Console.Write($"Scenario {scenario.Key}: warm-up ...");
            if (options.Warmup > TimeSpan.Zero)
            {
                await LoadRunner.RunAsync(load, scenario.Request, options.Concurrency, options.Warmup, cancellationToken);
            }

            Console.Write(" measuring ...");
            var before = cpu.Take();
            scenario.Result = await LoadRunner.RunAsync(load, scenario.Request, options.Concurrency, options.Duration, cancellationToken);
            scenario.Cpu = CpuSampler.Between(before, cpu.Take(), scenario.Result.Elapsed);
            Console.WriteLine($" {scenario.Result.Requests:N0} requests");
        }

        var used = await tpp.AdminGetAsync($"/sandbox/access-counts?consentId={connection.ConsentId}", cancellationToken);
        Report(scenarios, used.GetArrayLength());
        return scenarios.Sum(s => s.Result!.Errors) == 0 ? 0 : 1;
    }

    private static void Report(IReadOnlyList<Scenario> scenarios, int countedReads)
    {
        Console.WriteLine();
        Console.WriteLine(Row("", "scenario", "req/s", "p50 ms", "p90 ms", "p99 ms", "max ms", "errors", "KB/resp", "of A"));
        Console.WriteLine(new string('-', 128));
        var baseline = scenarios[0].Result!.RequestsPerSecond;
        foreach (var s in scenarios)
        {
            var r = s.Result!;
            Console.WriteLine(Row(s.Key, s.Title, Format(r.RequestsPerSecond, "N0"), Format(r.Percentile(50), "0.00"), Format(r.Percentile(90), "0.00"),
                Format(r.Percentile(99), "0.00"), Format(r.MaxMilliseconds, "0.00"), r.Errors.ToString(CultureInfo.InvariantCulture),
                Format(r.AverageBytes / 1024, "0.0"), Format(100 * r.RequestsPerSecond / baseline, "0.0") + " %"));
        }

        Console.WriteLine();
        if (CpuSampler.Available)
        {
            Console.WriteLine($"CPU during each measured run: cores used (of {Environment.ProcessorCount}), and CPU ms per request");
            foreach (var s in scenarios)
            {
                var (cores, machine) = s.Cpu;
                var perRequest = 1000 / s.Result!.RequestsPerSecond;
                var outside = machine / 100 * Environment.ProcessorCount - cores.Values.Sum();
                Console.WriteLine($"  {s.Key,-3} " + string.Join(", ", cores.OrderBy(c => Array.IndexOf(CpuOrder, c.Key)).Select(c => $"{c.Key} {Format(c.Value, "0.00")} ({Format(c.Value * perRequest, "0.00")} ms)"))
                    + $"; outside the app {Format(Math.Max(0, outside), "0.00")}; machine busy {Format(machine, "0")} %");
            }
        }

        Console.WriteLine();
        var a = scenarios[0];
        foreach (var key in new[] { "B", "C" })
        {
            var s = scenarios.Single(x => x.Key == key);
            var percent = 100 * s.Result!.RequestsPerSecond / a.Result!.RequestsPerSecond;
            Console.WriteLine($"{key}/A throughput: {Format(percent, "0.0")} % (target >= {Format(TargetPercent, "0")} %: {(percent >= TargetPercent ? "met" : "NOT met")})");
        }

        Console.WriteLine($"Reads counted against frequencyPerDay: {countedReads} (every read carried PSU-IP-Address)");
        var errors = scenarios.Sum(s => s.Result!.Errors);
        Console.WriteLine($"Errors (non-2xx or failed requests): {errors}");
        foreach (var s in scenarios.Where(s => s.Result!.FirstError is not null))
        {
            Console.WriteLine($"  {s.Key}: {s.Result!.FirstError}");
        }
    }

    /// <summary>Follows _links.next until <paramref name="pages"/> pages have been read; the last page's size and path.</summary>
    private static async Task<Walk> WalkAsync(HttpClient client, Connection connection, string path, int pages, CancellationToken cancellationToken)
    {
        var booked = 0;
        string? next = path;
        var walk = new Walk(path, 0, 0, 0);
        for (var page = 0; page < pages && next is not null; page++)
        {
            using var request = SandboxTpp.Read(next, connection);
            using var response = await client.SendAsync(request, cancellationToken);
            var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                throw new InvalidOperationException($"GET {next}: {(int)response.StatusCode} {System.Text.Encoding.UTF8.GetString(bytes)}");
            }

            var report = JsonDocument.Parse(bytes).RootElement.GetProperty("transactions");
            var count = report.GetProperty("booked").GetArrayLength();
            booked += count;
            walk = new Walk(next, booked, count, bytes.Length);
            next = report.GetProperty("_links").TryGetProperty("next", out var link) ? link.GetProperty("href").GetString() : null;
        }

        return walk;
    }

    private static string TransactionsPath(string accountId, DateOnly dateFrom) =>
        string.Create(CultureInfo.InvariantCulture, $"/v1/accounts/{accountId}/transactions?bookingStatus=booked&dateFrom={dateFrom:yyyy-MM-dd}");

    /// <summary>The app's processes by role, for the CPU figures.</summary>
    private static Dictionary<int, string> ProcessGroups(DistributedTestApp app)
    {
        var groups = new Dictionary<int, string>();
        foreach (var resource in app.App.Resources)
        {
            if (resource.ProcessId is { } pid)
            {
                groups[pid] = resource.Name switch
                {
                    "sandboxbank" => "bank",
                    "postgres" => "postgres",
                    _ => CpuSampler.Other,
                };
            }
        }

        return groups;
    }

    private static string CpuModel()
    {
        var model = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
            : null;
        return model is null ? "" : $" ({model})";
    }

    private static string Shorten(string path) => path.Length > 110 ? path[..70] + "..." + path[^30..] : path;

    internal static void Line(string label, string text) => Console.WriteLine($"{label,-10}: {text}");

    private static string Seconds(TimeSpan span) => span.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);

    private static string Format(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);

    private static string Row(string key, string title, string rps, string p50, string p90, string p99, string max, string errors, string kb, string ofA) =>
        $"{key,-3} {title,-62} {rps,8} {p50,8} {p90,8} {p99,8} {max,8} {errors,7} {kb,8} {ofA,8}";

    private sealed record Walk(string LastPath, int Booked, int LastBooked, int LastBytes);

    private sealed class Scenario(string key, string title, Func<HttpRequestMessage> request)
    {
        public string Key { get; } = key;

        public string Title { get; } = title;

        public Func<HttpRequestMessage> Request { get; } = request;

        public ScenarioResult? Result { get; set; }

        public (IReadOnlyDictionary<string, double> Cores, double MachineBusyPercent) Cpu { get; set; }
    }
}
