using System.Text.Json;
using Npgsql;
using Psd2.IntegrationTests.Harness;

namespace Psd2.IntegrationTests.Worker;

/// <summary>
/// Unattended refreshes through the whole app with two worker replicas: each consent's daily budget used exactly,
/// never exceeded (counted at the bank), across replicas, a replica's death, and user-present refreshes on top.
/// </summary>
[Collection(WorkerCollection.Name)]
public sealed class UnattendedRefreshTests(WorkerAppFixture fixture) : IDisposable
{
    /// <summary>Shorter than a slot segment (a quarter of the day's window), so no connection has two slots due in one step.</summary>
    private static readonly TimeSpan Step = TimeSpan.FromHours(3);

    private readonly BankTpp _bank = new(fixture.App);

    [Fact]
    public async Task OverThreeBankDaysEachOfFiftyConnectionsGetsExactlyFrequencyPerDayUnattendedReads()
    {
        using var client = await ApiTestClient.CreateAsync(fixture.App);
        var clock = new SharedClock(fixture.App, _bank);
        var connections = await WorkerTestData.ConnectAsync(fixture.App, client, _bank, 50);

        // Into the margin before the bank's midnight (nothing is read there), then across it: the counted days start clean.
        var now = await clock.AdvanceToLocalAsync(new TimeOnly(23, 50));
        await WorkerTestData.QuiesceAsync(fixture.App, connections, now, seconds: 180);
        var days = new List<DateOnly>();
        for (var day = 0; day < 3; day++)
        {
            now = await clock.AdvanceAsync(TimeSpan.FromMinutes(20));
            days.Add(SharedClock.BankDay(now));
            now = await RunDayAsync(clock, connections, now, userPresent: day == 1 ? client : null);
        }

        foreach (var connection in connections)
        {
            foreach (var day in days)
            {
                var counts = await WorkerTestData.AccessCountsAsync(_bank, connection.ConsentId, day);
                Assert.True(counts.Count >= 3, $"{connection.Id} on {day}: {counts.Count} endpoints read");
                Assert.All(counts, c => Assert.True(c.Count == 4, $"{connection.Id} on {day}: {c.Endpoint} {c.Resource} read {c.Count} times"));
            }
        }

        var ids = connections.Select(c => c.Id).ToArray();
        Assert.Equal(0L, await WorkerTestData.ScalarAsync<long>(fixture.App,
            "SELECT count(*) FROM sync_runs WHERE connection_id = ANY($1) AND error_code = 'access_exceeded'", ids));
        Assert.Equal(0L, await WorkerTestData.ScalarAsync<long>(fixture.App,
            "SELECT count(*) FROM connections WHERE id = ANY($1) AND (status <> 'active' OR refresh_reason IS NOT NULL)", ids));
        Assert.Equal(50L * 3, await WorkerTestData.ScalarAsync<long>(fixture.App,
            "SELECT count(*) FROM refresh_budgets WHERE connection_id = ANY($1) AND bank_day = ANY($2) AND used = 4", ids, days.ToArray()));

        // What a client sees of it.
        var schedule = await client.Api.GetFromJsonAsync<JsonElement>($"/v1/connections/{connections[0].Id}/schedule");
        Assert.Equal(4, schedule.GetProperty("readsAllowedToday").GetInt32());
        Assert.True(schedule.GetProperty("nextRefreshAt").GetDateTimeOffset() > now);
        Assert.Contains(schedule.GetProperty("lastRuns").EnumerateArray(), r => r.GetProperty("kind").GetString() == "refresh" && r.GetProperty("outcome").GetString() == "succeeded");
        var jobs = await client.Api.GetFromJsonAsync<JsonElement>("/v1/scheduler/jobs");
        var dispatcher = jobs.EnumerateArray().Single(j => j.GetProperty("job").GetString() == "refresh-dispatcher");
        Assert.True(dispatcher.GetProperty("runs").GetInt64() > 0);
        Assert.Equal(JsonValueKind.String, dispatcher.GetProperty("nextFireAt").ValueKind);
    }

    [Fact]
    public async Task TwoWorkersNeverRunOneRefreshTwiceAndTheSurvivorFinishesWhatAKilledOneLeft()
    {
        using var client = await ApiTestClient.CreateAsync(fixture.App);
        var clock = new SharedClock(fixture.App, _bank);
        var connections = await WorkerTestData.ConnectAsync(fixture.App, client, _bank, 20);
        var ids = connections.Select(c => c.Id).ToArray();
        var now = await clock.AdvanceToLocalAsync(new TimeOnly(23, 50));
        await WorkerTestData.QuiesceAsync(fixture.App, connections, now, seconds: 180);
        now = await clock.AdvanceAsync(TimeSpan.FromMinutes(20));
        var day = SharedClock.BankDay(now);

        // Both replicas share the first steps: every due connection is read once per slot, whichever replica took it.
        now = await clock.AdvanceAsync(Step);
        await WorkerTestData.QuiesceAsync(fixture.App, connections, now);
        var runsBefore = await UnattendedRunsAsync(ids);
        Assert.True(runsBefore.Values.Sum() > 0);
        await AssertBankCountsEqualRunsAsync(connections, day, runsBefore);
        var workers = await WorkerTestData.ScalarAsync<long>(fixture.App,
            "SELECT count(DISTINCT worker) FROM connection_job_runs WHERE connection_id = ANY($1) AND kind = 'refresh'", ids);
        Assert.True(workers >= 1);

        // Slow reads at the bank, then the next step (past every connection's first slot of the day): worker-2 is
        // killed while it runs refreshes. A refresh here reads one transactions page per account (two accounts), so
        // 3 s a page keeps every run far inside the run timeout (0.8 of the 20 s lease) on a loaded machine, while
        // leaving seconds to catch worker-2 in the middle of one. At 6 s a page, twice in a row a run ended without a
        // successful read; two pages at 6 s on a loaded machine come near that timeout.
        await SetLatencyAsync(3000);
        Guid[] held = [];
        try
        {
            now = await clock.AdvanceAsync(Step + TimeSpan.FromMinutes(30));
            var victim = $"{Environment.MachineName}:{fixture.App.ProcessId("worker-2")}";
            await Eventually.True(async _ => await WorkerTestData.ScalarAsync<long>(fixture.App, """
                SELECT count(*) FROM connections c JOIN sync_runs r ON r.connection_id = c.id
                WHERE c.id = ANY($1) AND c.leased_by = $2 AND r.status = 'running' AND NOT r.user_present
                """, ids, victim) > 0, Eventually.Seconds(60), "worker-2 in the middle of a due refresh", every: TimeSpan.FromMilliseconds(100));

            await fixture.App.KillAsync("worker-2");
            held = await WorkerTestData.ScalarAsync<Guid[]>(fixture.App, "SELECT array_agg(id) FROM connections WHERE id = ANY($1) AND leased_by = $2", ids, victim) ?? [];
        }
        finally
        {
            await SetLatencyAsync(0);
        }

        // The survivor takes the killed replica's connections once their leases end, and the day's budget holds.
        await WorkerTestData.QuiesceAsync(fixture.App, connections, now, seconds: 120);
        var interrupted = await WorkerTestData.ScalarAsync<long>(fixture.App,
            "SELECT count(*) FROM sync_runs WHERE connection_id = ANY($1) AND error_code = 'interrupted'", ids);
        if (interrupted == 0)
        {
            Assert.Fail("no run of the killed replica was taken over; what became of the connections it held: "
                + await WorkerTestData.ScalarAsync<string>(fixture.App, """
                    SELECT string_agg(concat_ws(' ', 'run', r.connection_id, r.status, r.error_code, r.started_at, r.finished_at), '; ' ORDER BY r.started_at)
                    FROM sync_runs r WHERE r.connection_id = ANY($1)
                    """, held)
                + " || " + await WorkerTestData.ScalarAsync<string>(fixture.App, """
                    SELECT string_agg(concat_ws(' ', 'job', j.connection_id, j.kind, j.outcome, j.error_code, j.worker, j.started_at), '; ' ORDER BY j.started_at)
                    FROM connection_job_runs j WHERE j.connection_id = ANY($1)
                    """, held));
        }

        foreach (var connection in connections)
        {
            var counts = await WorkerTestData.AccessCountsAsync(_bank, connection.ConsentId, day);
            Assert.All(counts, c => Assert.InRange(c.Count, 1, 4));
            // Every connection whose slot came in the two steps ended with a successful read of its own.
            Assert.NotEmpty(counts);
        }

        Assert.Equal(0L, await WorkerTestData.ScalarAsync<long>(fixture.App,
            "SELECT count(*) FROM sync_runs WHERE connection_id = ANY($1) AND error_code = 'access_exceeded'", ids));
        Assert.Equal(0L, await WorkerTestData.ScalarAsync<long>(fixture.App, """
            SELECT count(*) FROM connection_job_runs j WHERE j.connection_id = ANY($1) AND j.kind = 'refresh'
              AND NOT EXISTS (SELECT 1 FROM sync_runs r WHERE r.id = j.sync_run_id AND r.status = 'succeeded')
              AND j.outcome <> 'skipped'
            """, ids));

        await fixture.App.StartResourceAsync("worker-2");
        await fixture.App.WaitForHealthyAsync("worker-2", Deadline.In(60));
    }

    [Fact]
    public async Task ABankThatStillSaysTheDayIsSpentHoldsTheConnectionUntilTheTimeItGives()
    {
        using var client = await ApiTestClient.CreateAsync(fixture.App);
        var clock = new SharedClock(fixture.App, _bank);
        var (connection, now) = await OneConnectionAtDayStartAsync(client, clock);

        // The bank counts differently than the platform planned (say, another TPP reads on the same consent): it
        // answers 429 ACCESS_EXCEEDED with a Retry-After.
        var retryAfter = TimeSpan.FromHours(1);
        using (var fault = await _bank.Admin.PutAsJsonAsync("/sandbox/faults/accounts",
            new { tooManyRequestsRate = 1.0, retryAfterSeconds = (int)retryAfter.TotalSeconds, onlyConsentId = connection.ConsentId }))
        {
            fault.EnsureSuccessStatusCode();
        }

        try
        {
            // Past the first slot of the day: the read is refused, and the connection says so and until when.
            now = await clock.AdvanceAsync(TimeSpan.FromHours(6) + TimeSpan.FromMinutes(5));
            await WorkerTestData.QuiesceAsync(fixture.App, [connection], now);
            var shown = await client.GetConnectionAsync(connection.Id);
            Assert.Equal("active", shown.GetProperty("status").GetString());
            Assert.Equal("refresh_limit_reached", shown.GetProperty("refreshReason").GetString());
            var nextRefresh = shown.GetProperty("nextRefreshAt").GetDateTimeOffset();
            var refusedAt = new DateTimeOffset(await WorkerTestData.ScalarAsync<DateTime>(fixture.App,
                "SELECT max(finished_at) FROM sync_runs WHERE connection_id = $1 AND error_code = 'access_exceeded'", connection.Id), TimeSpan.Zero);
            Assert.True(nextRefresh >= refusedAt + retryAfter - TimeSpan.FromSeconds(5), $"next refresh at {nextRefresh:O}, refused at {refusedAt:O}");
            Assert.Equal(1L, await WorkerTestData.ScalarAsync<long>(fixture.App,
                "SELECT count(*) FROM platform_events WHERE connection_id = $1 AND type = 'connection.refresh_limit_reached'", connection.Id));
            var schedule = await client.Api.GetFromJsonAsync<JsonElement>($"/v1/connections/{connection.Id}/schedule");
            Assert.Equal(schedule.GetProperty("readsAllowedToday").GetInt32(), schedule.GetProperty("readsUsedToday").GetInt32());
            Assert.Equal("access_exceeded", schedule.GetProperty("lastFailure").GetProperty("errorCode").GetString());

            // Later, still before that time: not one more attempt.
            var attempts = await UnattendedAttemptsAsync(connection.Id);
            now = await clock.AdvanceAsync(Max(TimeSpan.Zero, refusedAt + retryAfter - TimeSpan.FromMinutes(10) - now));
            await WorkerTestData.QuiesceAsync(fixture.App, [connection], now);
            Assert.Equal(attempts, await UnattendedAttemptsAsync(connection.Id));
        }
        finally
        {
            await _bank.Admin.DeleteAsync("/sandbox/faults");
        }

        // The rest of the day's budget stays spent; the next bank day's reads go on as planned and the reason is gone.
        now = await clock.AdvanceToLocalAsync(new TimeOnly(23, 50));
        await WorkerTestData.QuiesceAsync(fixture.App, [connection], now);
        now = await clock.AdvanceAsync(TimeSpan.FromMinutes(20));
        var resumed = new DateTimeOffset(await WorkerTestData.ScalarAsync<DateTime>(fixture.App, "SELECT next_refresh_at FROM connections WHERE id = $1", connection.Id), TimeSpan.Zero);
        now = await clock.AdvanceAsync(Max(TimeSpan.Zero, resumed - now));
        await WorkerTestData.QuiesceAsync(fixture.App, [connection], now);
        var after = await client.GetConnectionAsync(connection.Id);
        Assert.Equal(JsonValueKind.Null, after.GetProperty("refreshReason").ValueKind);
    }

    [Fact]
    public async Task ABankThatStaysUnavailableIsTriedAgainThenTheJobEndsFailedAndTheScheduleSaysWhy()
    {
        using var client = await ApiTestClient.CreateAsync(fixture.App);
        var clock = new SharedClock(fixture.App, _bank);
        var (connection, now) = await OneConnectionAtDayStartAsync(client, clock);
        var day = SharedClock.BankDay(now);
        var usedBefore = await ReadsUsedAsync(connection.Id, day);

        // Maintenance at the bank for the rest of the day: 503 with a Retry-After too long for the HTTP pipeline to wait.
        using (var fault = await _bank.Admin.PutAsJsonAsync("/sandbox/faults/accounts",
            new { maintenanceFrom = now.AddMinutes(-1), maintenanceUntil = now.AddHours(12), onlyConsentId = connection.ConsentId }))
        {
            fault.EnsureSuccessStatusCode();
        }

        try
        {
            // Past the first slot of the day: the first attempt and both retries (1 s, then 4 s later here) find the bank
            // down; the connection stays held in between, so the dispatcher starts no attempt of its own.
            now = await clock.AdvanceAsync(TimeSpan.FromHours(6) + TimeSpan.FromMinutes(5));
            await WorkerTestData.QuiesceAsync(fixture.App, [connection], now, seconds: 120);
        }
        finally
        {
            await _bank.Admin.DeleteAsync("/sandbox/faults");
        }

        var runs = await WorkerTestData.ScalarAsync<string>(fixture.App, """
            SELECT string_agg(concat_ws(' ', started_at, outcome, error_code, worker), '; ' ORDER BY started_at)
            FROM connection_job_runs WHERE connection_id = $1 AND kind = 'refresh'
            """, connection.Id);
        var states = await WorkerTestData.ScalarAsync<string>(fixture.App, """
            SELECT string_agg(concat_ws(':', j.id, s.name, s.reason), ' | ' ORDER BY s.id) FROM hangfire.job j JOIN hangfire.state s ON s.jobid = j.id
            WHERE j.invocationdata->>'Type' LIKE 'Psd2.Worker.Refresh.UnattendedRefreshJob,%' AND j.arguments::text LIKE '%' || $1 || '%'
            """, connection.Id.ToString());
        Assert.True(runs?.Split("; ").Count(r => r.Contains(" failed bank_unavailable ")) == 3, runs + " || " + states);
        // Each attempt took a read of its own from the budget: never more reads than the day allows.
        Assert.Equal(usedBefore + 3, await ReadsUsedAsync(connection.Id, day));
        var job = await WorkerTestData.ScalarAsync<long>(fixture.App, """
            SELECT id FROM hangfire.job WHERE invocationdata->>'Type' LIKE 'Psd2.Worker.Refresh.UnattendedRefreshJob,%'
              AND arguments::text LIKE '%' || $1 || '%' ORDER BY id DESC LIMIT 1
            """, connection.Id.ToString());
        // Hangfire moves the job to Failed just after its last attempt ended (which is what the wait above saw).
        await Eventually.Holds(_ => WorkerTestData.ScalarAsync<string>(fixture.App, "SELECT statename FROM hangfire.job WHERE id = $1", job),
            state => state == "Failed", Eventually.Seconds(30), $"job {job} Failed");
        Assert.Equal("2", (await WorkerTestData.ScalarAsync<string>(fixture.App,
            "SELECT value FROM hangfire.jobparameter WHERE jobid = $1 AND name = 'RetryCount'", job))?.Trim('"'));

        // The client sees why, and the next slot is planned.
        var schedule = await client.Api.GetFromJsonAsync<JsonElement>($"/v1/connections/{connection.Id}/schedule");
        Assert.Equal("bank_unavailable", schedule.GetProperty("lastFailure").GetProperty("errorCode").GetString());
        Assert.True(schedule.GetProperty("nextRefreshAt").GetDateTimeOffset() > now);
        Assert.Equal("active", (await client.GetConnectionAsync(connection.Id)).GetProperty("status").GetString());
    }

    /// <summary>A new connection, and the clock moved past the bank's next midnight with everything due done: a clean day's budget.</summary>
    private async Task<(WorkerTestData.Live Connection, DateTimeOffset Now)> OneConnectionAtDayStartAsync(ApiTestClient client, SharedClock clock)
    {
        var connection = (await WorkerTestData.ConnectAsync(fixture.App, client, _bank, 1))[0];
        var now = await clock.AdvanceToLocalAsync(new TimeOnly(23, 50));
        await WorkerTestData.QuiesceAsync(fixture.App, [connection], now);
        now = await clock.AdvanceAsync(TimeSpan.FromMinutes(20));
        await WorkerTestData.QuiesceAsync(fixture.App, [connection], now);
        return (connection, now);
    }

    private Task<int> ReadsUsedAsync(Guid connectionId, DateOnly day) =>
        WorkerTestData.ScalarAsync<int>(fixture.App, "SELECT coalesce(max(used), 0) FROM refresh_budgets WHERE connection_id = $1 AND bank_day = $2", connectionId, day);

    private Task<long> UnattendedAttemptsAsync(Guid connectionId) =>
        WorkerTestData.ScalarAsync<long>(fixture.App, "SELECT count(*) FROM sync_runs WHERE connection_id = $1 AND NOT user_present", connectionId);

    /// <summary>
    /// Moves through a bank day from just after its start: in steps, then from slot to slot through the day's last
    /// minutes (a step must not jump over a slot into the margin before midnight, where nothing is read), and ends
    /// in that margin, from where the next day is reached without a read on either side of midnight.
    /// </summary>
    private async Task<DateTimeOffset> RunDayAsync(SharedClock clock, List<WorkerTestData.Live> connections, DateTimeOffset now, ApiTestClient? userPresent)
    {
        var day = SharedClock.BankDay(now);
        var windowEnd = Local(day, new TimeOnly(23, 45));
        while (now < windowEnd.AddMinutes(-1))
        {
            now = await clock.AdvanceAsync(Min(Step, windowEnd.AddMinutes(-1) - now));
            if (userPresent is not null)
            {
                // The end user refreshes too: reads with PSU-IP-Address, on top of the budget.
                foreach (var connection in connections.Take(5))
                {
                    Assert.Equal("succeeded", (await userPresent.SyncAsync(connection.Id)).GetProperty("status").GetString());
                }
            }

            await WorkerTestData.QuiesceAsync(fixture.App, connections, now);
        }

        var ids = connections.Select(c => c.Id).ToArray();
        while (await WorkerTestData.ScalarAsync<DateTime?>(fixture.App, "SELECT min(next_refresh_at) FROM connections WHERE id = ANY($1)", ids) is { } next
            && new DateTimeOffset(next, TimeSpan.Zero) < windowEnd)
        {
            now = await clock.AdvanceAsync(Max(TimeSpan.Zero, new DateTimeOffset(next, TimeSpan.Zero) - now));
            await WorkerTestData.QuiesceAsync(fixture.App, connections, now);
        }

        now = await clock.AdvanceAsync(Local(day, new TimeOnly(23, 50)) - now);
        await WorkerTestData.QuiesceAsync(fixture.App, connections, now);
        return now;
    }

    private static DateTimeOffset Local(DateOnly day, TimeOnly time)
    {
        var local = day.ToDateTime(time);
        return new DateTimeOffset(local, SharedClock.Stockholm.GetUtcOffset(local));
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    /// <summary>Unattended sync runs that succeeded, per connection.</summary>
    private async Task<Dictionary<Guid, int>> UnattendedRunsAsync(Guid[] ids)
    {
        await using var db = new NpgsqlConnection(fixture.App.GetConnectionString("psd2db"));
        await db.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT connection_id, count(*)::int FROM sync_runs WHERE connection_id = ANY($1) AND NOT user_present AND status = 'succeeded' GROUP BY connection_id", db)
        { Parameters = { new() { Value = ids } } };
        await using var reader = await command.ExecuteReaderAsync();
        var runs = ids.ToDictionary(id => id, _ => 0);
        while (await reader.ReadAsync())
        {
            runs[reader.GetGuid(0)] = reader.GetInt32(1);
        }

        return runs;
    }

    /// <summary>No run twice: the bank counted each endpoint exactly as often as the platform ran syncs that day (all of them after the day began).</summary>
    private async Task AssertBankCountsEqualRunsAsync(List<WorkerTestData.Live> connections, DateOnly day, Dictionary<Guid, int> runsBefore)
    {
        var ids = connections.Select(c => c.Id).ToArray();
        var start = new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), SharedClock.Stockholm.GetUtcOffset(day.ToDateTime(TimeOnly.MinValue)));
        foreach (var connection in connections)
        {
            var runsToday = await WorkerTestData.ScalarAsync<long>(fixture.App,
                "SELECT count(*) FROM sync_runs WHERE connection_id = $1 AND NOT user_present AND status = 'succeeded' AND started_at >= $2", connection.Id, start.ToUniversalTime());
            var counts = await WorkerTestData.AccessCountsAsync(_bank, connection.ConsentId, day);
            Assert.All(counts, c => Assert.Equal(runsToday, (long)c.Count));
            Assert.True(runsBefore[connection.Id] >= runsToday);
        }
    }

    private async Task SetLatencyAsync(int milliseconds)
    {
        using var response = milliseconds == 0
            ? await _bank.Admin.DeleteAsync("/sandbox/faults")
            : await _bank.Admin.PutAsJsonAsync("/sandbox/faults/transactions", new { latencyMilliseconds = milliseconds });
        response.EnsureSuccessStatusCode();
    }

    public void Dispose() => _bank.Dispose();
}
