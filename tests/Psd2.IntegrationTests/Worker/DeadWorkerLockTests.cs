using Aspire.Hosting.ApplicationModel;
using Npgsql;
using Psd2.IntegrationTests.Harness;

namespace Psd2.IntegrationTests.Worker;

/// <summary>
/// A worker killed with SIGKILL runs no cleanup: Hangfire's locks are rows in PostgreSQL, and a process killed while
/// it holds the recurring-job scheduler's locks (its global one and a recurring job's own) leaves the rows behind. The
/// other replica must take over within the configured lease (<c>Worker:Lease</c>): its recurring jobs fire again, and
/// the dead replica's servers leave Hangfire's list.
/// </summary>
[Collection(WorkerCollection.Name)]
public sealed class DeadWorkerLockTests(WorkerAppFixture fixture)
{
    /// <summary>Room for the scheduler's one-second polls and a loaded machine: never a measure of speed.</summary>
    private static readonly TimeSpan Slack = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task LocksAKilledWorkerHeldBlockTheSurvivorNoLongerThanTheLease()
    {
        var app = fixture.App;
        var lease = WorkerAppFixture.Lease;
        if (app.Snapshot("worker-2").State?.Text != KnownResourceStates.Running)
        {
            // A test before this one failed between killing worker-2 and restarting it: one failure, not two.
            await app.StartResourceAsync("worker-2");
            await app.WaitForHealthyAsync("worker-2", Deadline.In(60));
        }

        var victim = app.ProcessId("worker-2")!.Value;
        await app.KillAsync("worker-2");
        try
        {
            // What the killed replica would have left had it died inside the scheduler's critical sections.
            // Hangfire.PostgreSql names its lock rows with the prefix "hangfire:".
            string[] locks = ["hangfire:recurring-jobs:lock", "hangfire:lock:recurring-job:refresh-planner"];
            var plantedAt = await PlantLocksAsync(app, locks);

            // The survivor's scheduler enqueues the planner again: first blocked by the rows, then past them once they time out.
            var next = await Eventually.Holds(_ => WorkerTestData.ScalarAsync<DateTime?>(app, """
                SELECT min(createdat) FROM hangfire.job
                WHERE createdat > $1 AND invocationdata::text LIKE '%RefreshPlannerJob%'
                """, plantedAt.AddSeconds(1)), created => created is not null, lease + Slack, "the recurring planner enqueued again after the locks were left behind",
                every: TimeSpan.FromMilliseconds(250));

            // The rows held it until they timed out (so the test saw the blocking), and not longer than the lease and slack.
            Assert.InRange(next!.Value - plantedAt, lease - TimeSpan.FromSeconds(2), lease + Slack);
            Assert.Equal(0L, await WorkerTestData.ScalarAsync<long>(app,
                "SELECT count(*) FROM hangfire.lock WHERE resource = ANY($1) AND acquired <= $2", locks, plantedAt));

            // The dead replica's servers are dropped from Hangfire's list by the survivor's watchdog.
            await Eventually.True(async _ => await WorkerTestData.ScalarAsync<long>(app, "SELECT count(*) FROM hangfire.server WHERE id LIKE $1", $"%:{victim}:%") == 0,
                lease * 2 + Slack, "the killed replica's servers dropped from Hangfire's list", every: TimeSpan.FromMilliseconds(500));
        }
        finally
        {
            // The other tests of the collection run with two replicas.
            await app.StartResourceAsync("worker-2");
            await app.WaitForHealthyAsync("worker-2", Deadline.In(90));
        }
    }

    /// <summary>Inserts lock rows as a holder would (retrying while a live holder has one); the database time they carry.</summary>
    private static async Task<DateTime> PlantLocksAsync(TestApp app, params string[] resources)
    {
        await using var db = new NpgsqlConnection(app.GetConnectionString("psd2db"));
        await db.OpenAsync();
        var deadline = Deadline.In(30);
        while (true)
        {
            await using var transaction = await db.BeginTransactionAsync();
            try
            {
                await using var insert = new NpgsqlCommand("""
                    INSERT INTO hangfire.lock (resource, updatecount, acquired) SELECT unnest($1::text[]), 0, now() RETURNING acquired
                    """, db, transaction) { Parameters = { new() { Value = resources } } };
                var acquired = (DateTime)(await insert.ExecuteScalarAsync())!;
                await transaction.CommitAsync();
                return acquired;
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation && !deadline.IsCancellationRequested)
            {
                await transaction.RollbackAsync();
                await Task.Delay(20, CancellationToken.None);
            }
        }
    }
}
