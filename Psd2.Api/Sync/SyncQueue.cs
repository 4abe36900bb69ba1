using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Psd2.Core.Persistence;
using Psd2.Core.Sync;

namespace Psd2.Api.Sync;

/// <summary>A sync run to execute, with the end user's IP address, which is never stored.</summary>
public sealed record QueuedSync(Guid SyncRunId, string? PsuIpAddress);

/// <summary>
/// Executes queued sync runs in the background, two at a time. The end user's IP address lives only in memory,
/// so runs a previous process left queued or running cannot be resumed faithfully: at start they are marked
/// failed (<c>interrupted</c>) and the client asks again. A run continues the trace of the request that queued it,
/// so the request, the sync, its bank calls and its writes are one trace.
/// </summary>
public sealed class SyncQueue(IServiceScopeFactory scopes, TimeProvider time, ILogger<SyncQueue> logger) : BackgroundService
{
    private const int Concurrency = 2;
    private static readonly ActivitySource Source = new("Psd2.Api");
    private readonly Channel<(QueuedSync Sync, ActivityContext Parent)> _queue = Channel.CreateUnbounded<(QueuedSync, ActivityContext)>();

    public void Enqueue(QueuedSync sync) => _queue.Writer.TryWrite((sync, Activity.Current?.Context ?? default));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await FailInterruptedAsync(stoppingToken);
        await Task.WhenAll(Enumerable.Range(0, Concurrency).Select(_ => WorkAsync(stoppingToken)));
    }

    private async Task WorkAsync(CancellationToken stoppingToken)
    {
        await foreach (var (sync, parent) in _queue.Reader.ReadAllAsync(stoppingToken))
        {
            using var activity = Source.StartActivity("sync run", ActivityKind.Internal, parent);
            activity?.SetTag("psd2.sync_run.id", sync.SyncRunId);
            await using var scope = scopes.CreateAsyncScope();
            try
            {
                await scope.ServiceProvider.GetRequiredService<ConnectionSync>().RunAsync(sync.SyncRunId, sync.PsuIpAddress, stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogError(e, "Sync run {SyncRunId} failed unexpectedly", sync.SyncRunId);
                await MarkAsync(scope.ServiceProvider.GetRequiredService<Psd2DbContext>(), "internal_error", r => r.Id == sync.SyncRunId, CancellationToken.None);
            }
        }
    }

    private async Task FailInterruptedAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<Psd2DbContext>();
        var started = time.GetUtcNow();
        // Only the runs this queue ran: unattended ones belong to the worker, which takes over its own.
        await MarkAsync(db, "interrupted", r => r.UserPresent && (r.Status == SyncRunStatus.Queued || r.Status == SyncRunStatus.Running) && r.CreatedAt < started, cancellationToken);
    }

    private Task<int> MarkAsync(Psd2DbContext db, string errorCode, System.Linq.Expressions.Expression<Func<SyncRun, bool>> which, CancellationToken cancellationToken) =>
        db.SyncRuns.Where(which).Where(r => r.Status == SyncRunStatus.Queued || r.Status == SyncRunStatus.Running).ExecuteUpdateAsync(r => r
            .SetProperty(x => x.Status, SyncRunStatus.Failed)
            .SetProperty(x => x.ErrorCode, errorCode)
            .SetProperty(x => x.FinishedAt, time.GetUtcNow()), cancellationToken);
}
