using Psd2.IntegrationTests.Harness;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace Psd2.Bench;

/// <summary>
/// Starts the whole app, connects the sandbox bank's large PSU and measures, on the same mutual-TLS endpoint:
/// A, a cheap baseline; B, the first page of booked transactions; C, a later page reached through _links.next.
/// Then, on the platform api, with the same PSU connected and synced by a client app: F, the api's cheapest
/// endpoint; G, a 100-transaction page served from the cache; H, the same page read from PostgreSQL.
/// </summary>
public static class Program
{
    /// <summary>Lars Lindqvist, the café owner with over 100,000 booked transactions: SyntheticBank.LargePsu in the bank.</summary>
    private const string LargePsu = "197503152386";
    private const int FrequencyPerDay = 4;

    /// <summary>The account with the most booked transactions over this many recent days is the one measured.</summary>
    private const int SelectionDays = 30;

    private const double BankTargetPercent = 30;
    private const double ApiTargetPercent = 25;

    private static readonly string[] CpuOrder = ["bank", "api", "postgres", "redis", CpuSampler.Other, CpuSampler.LoadGenerator];

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
        Console.WriteLine("Psd2.Bench: throughput of the sandbox bank (Berlin Group AIS over mutual TLS) and of the platform api's reads");
        Console.WriteLine();
        Line("Machine", $"{Environment.ProcessorCount} logical cores{CpuModel()}, {GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024.0 * 1024 * 1024):0.0} GiB");
        Line("OS", $"{RuntimeInformation.OSDescription} ({RuntimeInformation.OSArchitecture}), {RuntimeInformation.FrameworkDescription}");
        var optimized = new[] { "Psd2.SandboxBank", "Psd2.Api" }.ToDictionary(p => p, p => BuildCheck.IsOptimized(BuildCheck.ServiceAssembly(p)));
        Line("Build", $"bench {BuildCheck.BenchConfiguration}; services started from bin/{BuildCheck.ServicesConfiguration} ("
            + string.Join(", ", optimized.Select(o => $"{o.Key}.dll {(o.Value switch { true => "optimized", false => "NOT optimized", null => "missing" })}")) + ")");
        if (BuildCheck.BenchConfiguration != "Release" || optimized.Values.Any(o => o != true))
        {
            Console.WriteLine("  WARNING: not a Release build; run: dotnet run -c Release --project bench/Psd2.Bench");
        }

        Line("Load", $"closed loop, HTTP/1.1 keep-alive, one connection per worker: {options.Concurrency} workers on the bank, "
            + $"{options.ApiConcurrency} on the api; warm-up {Seconds(options.Warmup)} s, then {Seconds(options.Duration)} s measured per scenario");
        Console.WriteLine();

        Console.WriteLine("Starting the app (PostgreSQL, Redis, sandbox bank, migrator, api, worker) ...");
        await using var app = await TestApp.StartAsync(cancellationToken, s =>
        {
            s.EchoConsole = options.EchoConsole;
            if (options.Dispatch)
            {
                s.ServiceSettings = DispatchScenario.ServiceSettings; // read at start: the bank's rate limit, the history a sync reads, the dispatcher's interval
            }
        });
        Line("Startup", $"{app.StartupTime.TotalSeconds:0.0} s to every resource healthy");

        if (options.Ingest)
        {
            return await IngestBench.RunAsync(app, LargePsu, new CpuSampler(ProcessGroups(app), Environment.ProcessId), cancellationToken) ? 0 : 1;
        }

        if (options.Plan)
        {
            return await PlanScenario.RunAsync(app, cancellationToken) ? 0 : 1;
        }

        if (options.Dispatch)
        {
            return await DispatchScenario.RunAsync(app, cancellationToken) ? 0 : 1;
        }

        if (options.Payments)
        {
            return await PaymentScenario.RunAsync(app, options, LargePsu, new CpuSampler(ProcessGroups(app), Environment.ProcessId), cancellationToken) ? 0 : 1;
        }

        if (options.Export)
        {
            return await ExportScenario.RunAsync(app, LargePsu, cancellationToken) ? 0 : 1;
        }

        var cpu = new CpuSampler(ProcessGroups(app), Environment.ProcessId);
        var scenarios = new List<Scenario>();
        int? countedReads = null;
        if (options.Runs(BenchPart.Bank))
        {
            countedReads = await RunBankAsync(app, options, cpu, scenarios, cancellationToken);
        }

        if (options.Runs(BenchPart.Api))
        {
            await RunApiAsync(app, options, cpu, scenarios, cancellationToken);
        }

        Report(scenarios, countedReads);
        return scenarios.Sum(s => s.Result!.Errors) == 0 ? 0 : 1;
    }

    /// <summary>A to C on the bank's mutual-TLS endpoint; returns how many reads counted against the consent's daily budget.</summary>
    private static async Task<int> RunBankAsync(TestApp app, BenchOptions options, CpuSampler cpu, List<Scenario> scenarios, CancellationToken cancellationToken)
    {
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
        var bank = new List<Scenario>();
        if (healthReachable)
        {
            bank.Add(new("A", "GET /health (mTLS endpoint; 1 DB health check, no QWAC check)", () => SandboxTpp.Read("/health")));
            bank.Add(new("A2", "GET /v1/consents/{id}/status (QWAC check + 1 DB row)", () => SandboxTpp.Read(statusPath), "A"));
        }
        else
        {
            Console.WriteLine($"  /health answers {(int)health.StatusCode} on the mTLS endpoint: the baseline is the consent status instead.");
            bank.Add(new("A", "GET /v1/consents/{id}/status (QWAC check + 1 DB row)", () => SandboxTpp.Read(statusPath)));
        }

        bank.Add(new("B", $"GET transactions page 1 (booked, dateFrom {dateFrom:yyyy-MM-dd}, {first.LastBooked} tx)", () => SandboxTpp.Read(firstPage, connection), "A", BankTargetPercent));
        bank.Add(new("C", $"GET transactions page {options.DeepPage} via _links.next ({deep.LastBooked} tx)", () => SandboxTpp.Read(deepPage, connection), "A", BankTargetPercent));
        Console.WriteLine();

        foreach (var scenario in bank)
        {
            connection = await tpp.RefreshAsync(connection, cancellationToken); // access tokens live 5 minutes under the harness
            await MeasureAsync(load, scenario, options.Concurrency, options, cpu, cancellationToken);
        }

        scenarios.AddRange(bank);
        var used = await tpp.AdminGetAsync($"/sandbox/access-counts?consentId={connection.ConsentId}", cancellationToken);
        return used.GetArrayLength();
    }

    /// <summary>F to H on the platform api: a synced account's transaction page beside the api's cheapest endpoint.</summary>
    private static async Task RunApiAsync(TestApp app, BenchOptions options, CpuSampler cpu, List<Scenario> scenarios, CancellationToken cancellationToken)
    {
        Console.WriteLine();
        using var client = await PlatformApi.CreateAsync(app, cancellationToken);
        var clock = Stopwatch.StartNew();
        var connectionId = await client.ConnectDecoupledAsync(LargePsu, cancellationToken);
        Line("Connection", $"{connectionId}: a client app's decoupled connection of PSU {LargePsu}, active after {clock.Elapsed.TotalSeconds:0.0} s");
        clock.Restart();
        var run = await client.SyncAsync(connectionId, TimeSpan.FromMinutes(15), cancellationToken);
        if (run.GetProperty("status").GetString() != "succeeded")
        {
            throw new InvalidOperationException("The sync did not succeed: " + run);
        }

        Line("Sync", string.Create(CultureInfo.InvariantCulture,
            $"{run.GetProperty("transactionsAdded").GetInt32():N0} transactions of {run.GetProperty("accountsSynced").GetInt32()} accounts in {clock.Elapsed.TotalSeconds:0.0} s"));

        // The measured account: the busiest, whose 500 newest transactions span the fewest days.
        var accounts = await client.Api.GetFromJsonAsync<JsonElement>($"/v1/users/{client.UserId}/accounts", cancellationToken);
        var spans = new List<(JsonElement Account, int Days)>();
        foreach (var account in accounts.EnumerateArray())
        {
            var items = (await client.Api.GetFromJsonAsync<JsonElement>($"/v1/accounts/{account.GetProperty("id")}/transactions?limit=500", cancellationToken))
                .GetProperty("items");
            spans.Add((account, items.GetArrayLength() == 0 ? int.MaxValue : SortDate(items[0]).DayNumber - SortDate(items[items.GetArrayLength() - 1]).DayNumber));
        }

        var measured = spans.MinBy(s => s.Days).Account;
        var path = $"/v1/accounts/{measured.GetProperty("id")}/transactions?limit=100";
        var bytes = await client.Api.GetByteArrayAsync(new Uri(path, UriKind.Relative), cancellationToken);
        Line("Account *", $"{measured.GetProperty("id")} {measured.GetProperty("iban").GetString()} \"{measured.GetProperty("name").GetString()}\"");
        Line("Page", $"{JsonDocument.Parse(bytes).RootElement.GetProperty("items").GetArrayLength()} transactions, {bytes.Length:N0} bytes of JSON: GET {path}");

        using var load = client.CreateLoadClient(app, options.ApiConcurrency);
        var api = new List<Scenario>
        {
            new("F", "api GET /alive (no key, no database)", () => new HttpRequestMessage(HttpMethod.Get, "/alive")),
            new("F2", "api GET /health (PostgreSQL SELECT 1, Redis PING)", () => new HttpRequestMessage(HttpMethod.Get, "/health"), "F"),
            new("F3", "api GET /v1/users/{id} (key check + 1 row)", () => new HttpRequestMessage(HttpMethod.Get, $"/v1/users/{client.UserId}"), "F"),
            new("G", "api GET 100 transactions (key, version GET, memory)", () => new HttpRequestMessage(HttpMethod.Get, path), "F", ApiTargetPercent, "F2"),
            new("H", "api GET 100 transactions, no-cache (key, owner, page)", () => new HttpRequestMessage(HttpMethod.Get, path)
            {
                Headers = { CacheControl = new CacheControlHeaderValue { NoCache = true } },
            }, "F", ApiTargetPercent, "F2"),
        };
        Console.WriteLine();
        foreach (var scenario in api)
        {
            await MeasureAsync(load, scenario, options.ApiConcurrency, options, cpu, cancellationToken);
        }

        scenarios.AddRange(api);
    }

    private static async Task MeasureAsync(HttpClient load, Scenario scenario, int concurrency, BenchOptions options, CpuSampler cpu, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        // What the step before left running (after the sync, the worker's JIT took 0.19 cores through all of F) must not
        // take cores from this scenario, least of all from a baseline the others are compared with.
        Console.Write($"Scenario {scenario.Key}: {await CpuSampler.SettleAsync(cancellationToken)}, warm-up ...");
        if (options.Warmup > TimeSpan.Zero)
        {
            await LoadRunner.RunAsync(load, scenario.Request, concurrency, options.Warmup, cancellationToken);
        }

        Console.Write(" measuring ...");
        var before = cpu.Take();
        scenario.Result = await LoadRunner.RunAsync(load, scenario.Request, concurrency, options.Duration, cancellationToken);
        scenario.Cpu = CpuSampler.Between(before, cpu.Take(), scenario.Result.Elapsed);
        Console.WriteLine($" {scenario.Result.Requests:N0} requests");
    }

    private static void Report(IReadOnlyList<Scenario> scenarios, int? countedReads)
    {
        Console.WriteLine();
        Console.WriteLine(Row("", "scenario", "req/s", "p50 ms", "p90 ms", "p99 ms", "max ms", "errors", "KB/resp", "of base"));
        Console.WriteLine(new string('-', 128));
        foreach (var s in scenarios)
        {
            var r = s.Result!;
            var ofBase = s.Baseline is null ? "" : Format(100 * r.RequestsPerSecond / BaselineOf(scenarios, s).Result!.RequestsPerSecond, "0.0") + " %";
            Console.WriteLine(Row(s.Key, s.Title, Format(r.RequestsPerSecond, "N0"), Format(r.Percentile(50), "0.00"), Format(r.Percentile(90), "0.00"),
                Format(r.Percentile(99), "0.00"), Format(r.MaxMilliseconds, "0.00"), r.Errors.ToString(CultureInfo.InvariantCulture),
                Format(r.AverageBytes / 1024, "0.0"), ofBase));
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
                Console.WriteLine($"  {s.Key,-3} " + string.Join(", ", cores.Where(c => c.Value >= 0.005).OrderBy(c => Array.IndexOf(CpuOrder, c.Key))
                        .Select(c => $"{c.Key} {Format(c.Value, "0.00")} ({Format(c.Value * perRequest, "0.00")} ms)"))
                    + $"; outside the app {Format(Math.Max(0, outside), "0.00")}; machine busy {Format(machine, "0")} %");
            }
        }

        Console.WriteLine();
        foreach (var s in scenarios.Where(s => s.TargetPercent is not null))
        {
            var baseline = BaselineOf(scenarios, s);
            var percent = 100 * s.Result!.RequestsPerSecond / baseline.Result!.RequestsPerSecond;
            Console.WriteLine($"{s.Key}/{baseline.Key} throughput: {Format(percent, "0.0")} % (target >= {Format(s.TargetPercent!.Value, "0")} %: "
                + $"{(percent >= s.TargetPercent ? "met" : "NOT met")}); p99 {Format(s.Result.Percentile(99), "0.00")} ms against {Format(baseline.Result.Percentile(99), "0.00")} ms"
                + (scenarios.SingleOrDefault(x => x.Key == s.AlsoVs) is { } also
                    ? $"; {s.Key}/{also.Key}: {Format(100 * s.Result.RequestsPerSecond / also.Result!.RequestsPerSecond, "0.0")} %"
                    : ""));
        }

        if (countedReads is not null)
        {
            Console.WriteLine($"Reads counted against frequencyPerDay: {countedReads} (every read carried PSU-IP-Address)");
        }

        var errors = scenarios.Sum(s => s.Result!.Errors);
        Console.WriteLine($"Errors (non-2xx or failed requests): {errors}");
        foreach (var s in scenarios.Where(s => s.Result!.FirstError is not null))
        {
            Console.WriteLine($"  {s.Key}: {s.Result!.FirstError}");
        }
    }

    private static Scenario BaselineOf(IReadOnlyList<Scenario> scenarios, Scenario scenario) => scenarios.Single(x => x.Key == scenario.Baseline);

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

    /// <summary>A transaction's place in the api's order: its booking date, or its value date while pending.</summary>
    private static DateOnly SortDate(JsonElement transaction) => DateOnly.ParseExact(
        (transaction.GetProperty("bookingDate").GetString() ?? transaction.GetProperty("valueDate").GetString())!, "yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string TransactionsPath(string accountId, DateOnly dateFrom) =>
        string.Create(CultureInfo.InvariantCulture, $"/v1/accounts/{accountId}/transactions?bookingStatus=booked&dateFrom={dateFrom:yyyy-MM-dd}");

    /// <summary>The app's processes by role, for the CPU figures.</summary>
    internal static Dictionary<int, string> ProcessGroups(TestApp app)
    {
        var groups = new Dictionary<int, string>();
        foreach (var name in app.ResourceNames)
        {
            if (app.ProcessId(name) is { } pid)
            {
                groups[pid] = name switch
                {
                    "sandboxbank" => "bank",
                    "api" => "api",
                    "worker" => "worker",
                    "postgres" => "postgres",
                    "redis" => "redis",
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

    /// <summary>The middle of an odd number of figures; of an even number, the upper of the two middle ones.</summary>
    internal static double Median(IEnumerable<double> figures)
    {
        var sorted = figures.Order().ToList();
        return sorted[sorted.Count / 2];
    }

    private static string Seconds(TimeSpan span) => span.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);

    private static string Format(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);

    private static string Row(string key, string title, string rps, string p50, string p90, string p99, string max, string errors, string kb, string ofA) =>
        $"{key,-3} {title,-62} {rps,8} {p50,8} {p90,8} {p99,8} {max,8} {errors,7} {kb,8} {ofA,8}";

    private sealed record Walk(string LastPath, int Booked, int LastBooked, int LastBytes);

    /// <param name="baseline">The scenario this one's throughput is compared with; null for a baseline.</param>
    /// <param name="targetPercent">The share of the baseline's throughput this one should reach.</param>
    /// <param name="alsoVs">Another scenario the throughput is compared with, for reference.</param>
    private sealed class Scenario(string key, string title, Func<HttpRequestMessage> request, string? baseline = null, double? targetPercent = null, string? alsoVs = null)
    {
        public string Key { get; } = key;

        public string Title { get; } = title;

        public Func<HttpRequestMessage> Request { get; } = request;

        public string? Baseline { get; } = baseline;

        public double? TargetPercent { get; } = targetPercent;

        public string? AlsoVs { get; } = alsoVs;

        public ScenarioResult? Result { get; set; }

        public (IReadOnlyDictionary<string, double> Cores, double MachineBusyPercent) Cpu { get; set; }
    }
}
