using Psd2.Core.Persistence;
using Psd2.Core.Refresh;

namespace Psd2.Worker.Scheduling;

public static class JobRuns
{
    /// <summary>Adds what the worker did for a connection to the unit of work (saved with the change it made).</summary>
    public static void Record(Psd2DbContext db, WorkerIdentity worker, Guid connectionId, string kind, DateTimeOffset startedAt, DateTimeOffset finishedAt,
        string outcome, string? errorCode = null, Guid? syncRunId = null) =>
        db.ConnectionJobRuns.Add(new ConnectionJobRun
        {
            Id = Guid.CreateVersion7(), ConnectionId = connectionId, Kind = kind, StartedAt = startedAt, FinishedAt = finishedAt,
            Outcome = outcome, ErrorCode = errorCode, SyncRunId = syncRunId, Worker = worker.Name,
        });
}
