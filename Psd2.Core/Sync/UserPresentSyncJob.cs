using Hangfire;
using Hangfire.Server;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Psd2.Core.Jobs;
using Psd2.Core.Persistence;
using Psd2.Core.Security;

namespace Psd2.Core.Sync;

/// <summary>
/// A sync an end user asked for (through the api), run by a worker from the interactive queue. The user's IP address
/// travels encrypted in the job's arguments (it is personal data, and the job's row outlives the run for a day) and is
/// sent to the bank so the read counts as user-present. A worker that dies mid-run leaves the job to another one; a
/// run that fails unexpectedly is tried again, and after the last attempt it ends failed (<c>internal_error</c>).
/// </summary>
public sealed class UserPresentSyncJob(Psd2DbContext db, ConnectionSync sync, TokenProtector protector, ILogger<UserPresentSyncJob> logger)
{
    private const int Retries = 2;

    /// <summary>Queues the run (saved already) for a worker.</summary>
    public static void Enqueue(IBackgroundJobClient jobs, TokenProtector protector, SyncRun run, string psuIpAddress)
    {
        var cipher = protector.Protect(psuIpAddress, run.Id);
        // The queue is part of the job, so Hangfire's retries go back to it.
        jobs.Enqueue<UserPresentSyncJob>(JobQueues.Interactive, job => job.RunAsync(run.Id, cipher, null, CancellationToken.None));
    }

    [AutomaticRetry(Attempts = Retries, DelaysInSeconds = [2, 10])]
    public async Task RunAsync(Guid syncRunId, byte[] psuIpAddressCipher, PerformContext? context, CancellationToken cancellationToken)
    {
        var run = await db.SyncRuns.SingleOrDefaultAsync(
            r => r.Id == syncRunId && (r.Status == SyncRunStatus.Queued || r.Status == SyncRunStatus.Running), cancellationToken);
        if (run is null)
        {
            return; // Finished by an earlier attempt, or deleted with its connection.
        }

        var connection = await db.Connections.SingleAsync(c => c.Id == run.ConnectionId, cancellationToken);
        try
        {
            await sync.RunAsync(run, connection, protector.Unprotect(psuIpAddressCipher, run.Id), cancellationToken);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && context is not null && JobRetries.SoFar(context) >= Retries)
        {
            logger.LogError(e, "Sync run {SyncRunId} failed unexpectedly on its last attempt", syncRunId);
            await sync.FailOpenAsync(r => r.Id == syncRunId, "internal_error", CancellationToken.None);
            throw;
        }
    }
}
