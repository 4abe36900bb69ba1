using Psd2.IntegrationTests.Harness;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.Options;
using Npgsql;
using Psd2.Core.Banking;
using Psd2.Core.Refresh;

namespace Psd2.Bench;

/// <summary>
/// Dispatch: how many unattended syncs one worker starts per second, and the database connections it uses meanwhile.
/// 200 live connections of one user (a sandbox PSU of one account each, real consents approved in the bank's BankID
/// app) are made due at once, with the per-bank rate limit out of the way; the figures come from the worker's own
/// records (<c>connection_job_runs</c>) and PostgreSQL's <c>pg_stat_activity</c>. Two waves: cold, the first sync of
/// each connection in a fresh worker process, then warm, the next one as every later refresh runs.
/// </summary>
public static class DispatchScenario
{
    private const int Connections = 200;
    private const string InstitutionId = "sandboxbank";

    /// <summary>Connections set up at once (each waits some seconds for the bank's simulated BankID approval).</summary>
    private const int ConnectingAtOnce = 50;

    /// <summary>Days of history a sync reads: a week is one transaction page per account, so a sync is a few bank calls and no bulk ingest.</summary>
    private const int HistoryDays = 7;

    /// <summary>Unattended syncs per second at the bank: the most the option allows, which 200 syncs never reach.</summary>
    private const int RateLimit = 10_000;

    private const string ApplicationName = "psd2-bench";
    private static readonly TimeSpan WaveDeadline = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan Sampling = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Settings for api and worker, given at start (the options are read once): the bank's rate limit at the most the
    /// option allows (off for 200 syncs), a week of history per sync, the dispatcher every second instead of 15 s so a
    /// wave starts at once.
    /// </summary>
    public static IReadOnlyDictionary<string, string> ServiceSettings { get; } = new Dictionary<string, string>
    {
        [$"Institutions__Banks__{InstitutionId}__UnattendedSyncsPerSecond"] = RateLimit.ToString(CultureInfo.InvariantCulture),
        [$"Institutions__Banks__{InstitutionId}__MaxHistoryDays"] = HistoryDays.ToString(CultureInfo.InvariantCulture),
        ["Worker__DispatcherInterval"] = "00:00:01",
    };

    public static async Task<bool> RunAsync(TestApp app, CancellationToken cancellationToken)
    {
        await WaitForBankDayWindowAsync(cancellationToken);
        using var platform = await PlatformApi.CreateAsync(app, cancellationToken);
        using var tpp = new SandboxTpp(app);
        var clock = Stopwatch.StartNew();
        var connected = new ConcurrentBag<Guid>();
        await Parallel.ForEachAsync(Enumerable.Range(0, Connections), new ParallelOptions { MaxDegreeOfParallelism = ConnectingAtOnce, CancellationToken = cancellationToken },
            async (_, token) =>
            {
                using var created = await tpp.Admin.PostAsJsonAsync("/sandbox/psus", new { accounts = 1 }, token);
                var psu = (await SandboxTpp.Expect(created, HttpStatusCode.Created, token)).GetProperty("personalNumber").GetString()!;
                connected.Add(await platform.ConnectDecoupledAsync(psu, token));
            });
        Console.WriteLine();
        Program.Line("Setup", $"{connected.Count} connections of one user, each a sandbox PSU of 1 account (decoupled BankID), active after {clock.Elapsed.TotalSeconds:0.0} s; "
            + $"syncs read {HistoryDays} days of history");

        // Every backend counted from here on is the worker's: the api is not needed for the waves.
        await app.StopResourceAsync("api");
        var builder = new NpgsqlConnectionStringBuilder(app.GetConnectionString("psd2db")) { ApplicationName = ApplicationName };
        await using var dataSource = NpgsqlDataSource.Create(builder.ConnectionString);
        await using var db = await dataSource.OpenConnectionAsync(cancellationToken);
        var syncWorkers = await ScalarAsync<long>(db, "SELECT sum((data::jsonb ->> 'WorkerCount')::int) FROM hangfire.server WHERE data::jsonb -> 'Queues' ? 'syncs'", cancellationToken);
        Program.Line("Worker", $"1 replica, {syncWorkers} Hangfire workers on the syncs queue (Worker:SyncWorkers), dispatcher every 1 s; "
            + $"bank rate limit {RateLimit:N0}/s (off); api stopped");

        var cpu = new CpuSampler(app.ResourceNames.Where(n => app.ProcessId(n) is not null)
            .ToDictionary(n => app.ProcessId(n)!.Value, n => n == InstitutionId ? "bank" : n), Environment.ProcessId);
        var cold = await WaveAsync(db, platform.UserId, "Cold", syncWorkers, cpu, cancellationToken);
        var warm = await WaveAsync(db, platform.UserId, "Warm", syncWorkers, cpu, cancellationToken);
        return cold && warm;
    }

    /// <summary>Makes every connection of the user due at once and follows the worker until each has been refreshed.</summary>
    private static async Task<bool> WaveAsync(NpgsqlConnection db, Guid userId, string label, long syncWorkers, CpuSampler cpu, CancellationToken cancellationToken)
    {
        // Planned, and nothing in flight: no connection without its next slot, due, or held by a run.
        var settle = Stopwatch.StartNew();
        while (await ScalarAsync<long>(db, """
            SELECT count(*) FROM connections WHERE user_id = $1 AND status IN ('active', 'renewal_due')
              AND (next_refresh_at IS NULL OR next_refresh_at <= now() OR lease_until IS NOT NULL)
            """, cancellationToken, userId) > 0)
        {
            if (settle.Elapsed > WaveDeadline)
            {
                throw new TimeoutException($"The worker did not plan and settle the connections within {WaveDeadline.TotalMinutes:0} min.");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken);
        }

        var settled = settle.Elapsed;
        var (due, made) = await FirstRowAsync(db, """
            WITH due AS (UPDATE connections SET next_refresh_at = now() - interval '1 second'
                         WHERE user_id = $1 AND status IN ('active', 'renewal_due') RETURNING 1)
            SELECT now(), count(*) FROM due
            """, r => (r.GetFieldValue<DateTimeOffset>(0), r.GetInt64(1)), cancellationToken, userId);
        var before = cpu.Take();
        var clock = Stopwatch.StartNew();

        // Until each connection has a refresh run (a failed one is retried 30 s later: the first attempt is enough to tell).
        var peak = new Dictionary<string, (long All, long Active)>(StringComparer.Ordinal);
        long peakTotal = 0;
        var refreshed = 0L;
        while (refreshed < made && clock.Elapsed < WaveDeadline)
        {
            var total = 0L;
            await using (var sample = new NpgsqlCommand("""
                SELECT application_name, count(*), count(*) FILTER (WHERE state <> 'idle') FROM pg_stat_activity
                WHERE datname = 'psd2db' AND application_name <> $1 GROUP BY 1
                """, db) { Parameters = { new() { Value = ApplicationName } } })
            await using (var reader = await sample.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    var name = reader.GetString(0);
                    var (all, active) = peak.GetValueOrDefault(name);
                    peak[name] = (Math.Max(all, reader.GetInt64(1)), Math.Max(active, reader.GetInt64(2)));
                    total += reader.GetInt64(1);
                }
            }

            peakTotal = Math.Max(peakTotal, total);
            refreshed = await ScalarAsync<long>(db, """
                SELECT count(DISTINCT r.connection_id) FROM connection_job_runs r JOIN connections c ON c.id = r.connection_id
                WHERE c.user_id = $1 AND r.kind = 'refresh' AND r.started_at >= $2
                """, cancellationToken, userId, due);
            await Task.Delay(Sampling, cancellationToken);
        }

        var (cores, machineBusy) = CpuSampler.Between(before, cpu.Take(), clock.Elapsed);
        // Each connection's first run since due is the wave's; a later one is its own slot come round meanwhile, or a retry.
        var runs = new List<(DateTimeOffset Started, DateTimeOffset Finished, string Outcome, string? Error, int Transactions)>();
        await using (var read = new NpgsqlCommand("""
            SELECT * FROM (
                SELECT DISTINCT ON (r.connection_id) r.started_at, r.finished_at, r.outcome, r.error_code, coalesce(s.transactions_added + s.transactions_updated, 0)
                FROM connection_job_runs r JOIN connections c ON c.id = r.connection_id LEFT JOIN sync_runs s ON s.id = r.sync_run_id
                WHERE c.user_id = $1 AND r.kind = 'refresh' AND r.started_at >= $2 ORDER BY r.connection_id, r.started_at) first
            ORDER BY 1
            """, db) { Parameters = { new() { Value = userId }, new() { Value = due } } })
        await using (var reader = await read.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                runs.Add((reader.GetFieldValue<DateTimeOffset>(0), reader.GetFieldValue<DateTimeOffset>(1), reader.GetString(2),
                    reader.IsDBNull(3) ? null : reader.GetString(3), reader.GetInt32(4)));
            }
        }

        var (allRuns, allFailed) = await FirstRowAsync(db, """
            SELECT count(*), count(*) FILTER (WHERE r.outcome = 'failed') FROM connection_job_runs r JOIN connections c ON c.id = r.connection_id
            WHERE c.user_id = $1 AND r.kind = 'refresh' AND r.started_at >= $2
            """, r => (r.GetInt64(0), r.GetInt64(1)), cancellationToken, userId, due);
        var succeeded = runs.Count(r => r.Outcome == JobOutcome.Succeeded);
        var failed = runs.Count(r => r.Outcome == JobOutcome.Failed);
        Console.WriteLine();
        var odd = runs.Where(r => r.Outcome != JobOutcome.Succeeded).Select(r => $" (first: {r.Outcome}, {r.Error})").FirstOrDefault() ?? "";
        Program.Line(label, $"planned and idle after {settled.TotalSeconds:0} s; {made} connections made due at {due:HH:mm:ss.fff} UTC; {runs.Count} refresh runs: {succeeded} succeeded, {failed} failed, "
            + $"{runs.Count - succeeded - failed} skipped{odd}"
            + (allRuns > runs.Count ? $" (and {allRuns - runs.Count} later runs, {allFailed - failed} failed: own slots come round, or retries)" : "")
            + (refreshed < made ? $"; only {refreshed} refreshed within {WaveDeadline.TotalMinutes:0} min" : ""));
        if (runs.Count == 0)
        {
            return false;
        }

        var first = runs[0].Started;
        var last = runs.Max(r => r.Started);
        var finished = runs.Max(r => r.Finished);
        var spread = (last - first).TotalSeconds;
        Program.Line("Started", $"{runs.Count / spread:0.0} syncs/s between the first and last start ({runs.Count} in {spread:0.00} s); "
            + $"{runs.Count / (last - due).TotalSeconds:0.0} syncs/s from due ({(last - due).TotalSeconds:0.00} s)");
        Program.Line("Completed", $"{succeeded / (finished - due).TotalSeconds:0.0} syncs/s from due (last finished {(finished - due).TotalSeconds:0.00} s after)");
        var waits = runs.Select(r => (r.Started - due).TotalMilliseconds).Order().ToList();
        var durations = runs.Select(r => (r.Finished - r.Started).TotalMilliseconds).Order().ToList();
        Program.Line("Due->start", $"p50 {Percentile(waits, 50):N0} ms, p99 {Percentile(waits, 99):N0} ms, first {waits[0]:N0} ms");
        // The share of the syncs workers' time spent inside refresh runs; the rest is Hangfire fetching and finishing jobs, and waiting for them.
        var busy = durations.Sum() / (syncWorkers * (finished - due).TotalMilliseconds);
        Program.Line("Run", $"p50 {Percentile(durations, 50):N0} ms, p99 {Percentile(durations, 99):N0} ms per refresh; "
            + $"{Percentile(runs.Select(r => (double)r.Transactions).Order().ToList(), 50):N0} transactions (median) per sync; "
            + $"the {syncWorkers} syncs workers inside runs {100 * busy:0} % of the time from due to the last finish");
        Program.Line("DB peak", $"{peakTotal} backends on psd2db at once (the bench's own left out); by application_name, most at once (of them not idle): "
            + string.Join(", ", peak.OrderByDescending(p => p.Value.All).Select(p => $"{(p.Key.Length == 0 ? "none" : $"'{p.Key}'")} {p.Value.All} ({p.Value.Active})")));
        if (CpuSampler.Available)
        {
            Program.Line("CPU", string.Join(", ", cores.Where(c => c.Value >= 0.005).OrderByDescending(c => c.Value).Select(c => $"{c.Key} {c.Value:0.00}"))
                + $" cores (of {Environment.ProcessorCount}); machine busy {machineBusy:0} %");
        }

        return refreshed == made && succeeded == made && allFailed == 0;
    }

    /// <summary>
    /// No unattended read starts within Refresh:MidnightMargin of the bank's midnight (Europe/Stockholm): a run that
    /// would reach into it waits for the next window, and says so.
    /// </summary>
    private static async Task WaitForBankDayWindowAsync(CancellationToken cancellationToken)
    {
        var institutions = Options.Create(new InstitutionOptions { Banks = { [InstitutionId] = new Institution { Name = "Sandbox Bank", Standard = "berlin-group", Service = InstitutionId } } });
        var slots = new RefreshCalendar(institutions, Options.Create(new RefreshOptions())).For(InstitutionId);
        var now = DateTimeOffset.UtcNow;
        var (from, until) = slots.Window(slots.Days.DayOf(now));
        var needs = TimeSpan.FromMinutes(15); // setup and both waves, with room
        if (now >= from && now + needs <= until)
        {
            return;
        }

        var opens = now < from ? from : slots.Window(slots.Days.DayOf(now).AddDays(1)).From;
        Program.Line("Bank day", $"{now:HH:mm} UTC is too close to the bank's midnight for unattended reads (Refresh:MidnightMargin); waiting until {opens:HH:mm} UTC");
        await Task.Delay(opens - now, cancellationToken);
    }

    /// <summary>Nearest rank over sorted values.</summary>
    private static double Percentile(List<double> sorted, double percent) =>
        sorted[Math.Clamp((int)Math.Ceiling(percent / 100 * sorted.Count) - 1, 0, sorted.Count - 1)];

    private static async Task<T> ScalarAsync<T>(NpgsqlConnection db, string sql, CancellationToken cancellationToken, params object[] values) =>
        await FirstRowAsync(db, sql, r => r.IsDBNull(0) ? default! : r.GetFieldValue<T>(0), cancellationToken, values);

    private static async Task<T> FirstRowAsync<T>(NpgsqlConnection db, string sql, Func<NpgsqlDataReader, T> read, CancellationToken cancellationToken, params object[] values)
    {
        await using var command = new NpgsqlCommand(sql, db);
        foreach (var value in values)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }

        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return read(reader);
    }
}
