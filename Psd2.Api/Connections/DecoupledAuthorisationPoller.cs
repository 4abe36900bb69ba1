using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Psd2.Api.Banking;
using Psd2.Core.Banking;
using Psd2.Core.Connections;
using Psd2.Core.Connectors;
using Psd2.Core.Persistence;

namespace Psd2.Api.Connections;

/// <summary>
/// Follows decoupled BankID orders server-side: each waiting connection is polled at its bank's allowed interval
/// (and no sooner than a Retry-After) until it is finalised (tokens by the CIBA grant, then active), refused
/// (rejected), or unanswered (expired). Connections are claimed with <c>FOR UPDATE SKIP LOCKED</c> and a lease, so
/// several api replicas share the work and a replica that dies mid-poll only delays a connection by the lease.
/// </summary>
public sealed class DecoupledAuthorisationPoller(IServiceScopeFactory scopes, TimeProvider time, ILogger<DecoupledAuthorisationPoller> logger) : BackgroundService
{
    /// <summary>The api's own source (its application name, which ServiceDefaults subscribes to).</summary>
    private static readonly ActivitySource Activity = new("Psd2.Api");
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan Idle = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan BankTrouble = TimeSpan.FromSeconds(5);
    private const int Batch = 20;
    private readonly SemaphoreSlim _wake = new(0);

    /// <summary>A decoupled order was just started on this replica: look at it without waiting for the idle interval.</summary>
    public void Wake()
    {
        if (_wake.CurrentCount == 0)
        {
            _wake.Release();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var delay = Idle;
            try
            {
                var due = await ClaimDueAsync(stoppingToken);
                foreach (var id in due)
                {
                    await PollAsync(id, stoppingToken);
                }

                delay = due.Count > 0 ? Tick : await UntilNextDueAsync(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogError(e, "Polling decoupled authorisations failed; trying again");
            }

            try
            {
                await _wake.WaitAsync(delay, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>How long to sleep: until the earliest waiting connection is due, between <see cref="Tick"/> and <see cref="Idle"/>.</summary>
    private async Task<TimeSpan> UntilNextDueAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var next = await scope.ServiceProvider.GetRequiredService<Psd2DbContext>().Connections
            .Where(c => c.Status == ConnectionStatus.AwaitingDecoupledAuthorisation).MinAsync(c => c.NextPollAt, cancellationToken);
        var wait = next is null ? Idle : next.Value - time.GetUtcNow();
        return wait < Tick ? Tick : wait > Idle ? Idle : wait;
    }

    /// <summary>Takes the due connections for this replica by pushing their next poll out by the lease.</summary>
    private async Task<List<Guid>> ClaimDueAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<Psd2DbContext>();
        var now = time.GetUtcNow();
        return await db.Database.SqlQuery<Guid>($"""
            UPDATE connections SET next_poll_at = {now + Lease}
            WHERE id IN (SELECT id FROM connections
                         WHERE status = 'awaiting_decoupled_authorisation' AND next_poll_at <= {now}
                         ORDER BY next_poll_at LIMIT {Batch} FOR UPDATE SKIP LOCKED)
            RETURNING id AS "Value"
            """).ToListAsync(cancellationToken);
    }

    /// <summary>One poll is one trace: the bank's answer and what the platform wrote of it.</summary>
    private async Task PollAsync(Guid connectionId, CancellationToken cancellationToken)
    {
        using var activity = Activity.StartActivity("decoupled authorisation poll");
        activity?.SetTag("psd2.connection.id", connectionId);
        await using var scope = scopes.CreateAsyncScope();
        var services = scope.ServiceProvider;
        var db = services.GetRequiredService<Psd2DbContext>();
        var connection = await db.Connections.SingleOrDefaultAsync(c => c.Id == connectionId, cancellationToken);
        if (connection is not { Status: ConnectionStatus.AwaitingDecoupledAuthorisation, ScaStatusUrl: not null })
        {
            return;
        }

        var banks = services.GetRequiredService<BankClients>();
        var checks = services.GetRequiredService<ConsentChecks>();
        var institution = banks.Institution(connection.InstitutionId);
        var bank = banks.Connector(connection.InstitutionId);
        var now = time.GetUtcNow();
        try
        {
            var poll = await bank.PollDecoupledAsync(connection.ScaStatusUrl, cancellationToken);
            switch (poll.State)
            {
                case DecoupledState.Finalised:
                    var tokens = await bank.RequestDecoupledTokensAsync(connection.BankConsentId!, connection.ScaStatusUrl, cancellationToken);
                    await services.GetRequiredService<ConnectionActivation>().ActivateAsync(connection, bank, tokens, psuIpAddress: null, requestId: null, cancellationToken);
                    return;
                case DecoupledState.Failed:
                    // The bank tells a refusal from an order nobody answered by the consent's state.
                    var expired = await bank.GetConsentStateAsync(new ConsentHandle(connection.BankConsentId!, null, null), cancellationToken) == ConsentState.Expired;
                    checks.End(connection, expired ? ConnectionStatus.Expired : ConnectionStatus.Rejected, expired ? "authorisation_timed_out" : "user_refused", requestId: null);
                    break;
                case DecoupledState.Pending:
                    if (now >= connection.AuthorisationDeadline)
                    {
                        await ConsentTermination.TryTerminateAsync(bank, connection, new ConsentHandle(connection.BankConsentId!, null, null), logger, cancellationToken);
                        checks.End(connection, ConnectionStatus.Expired, "authorisation_timed_out", requestId: null);
                        break;
                    }

                    connection.NextPollAt = now + Max(poll.RetryAfter ?? TimeSpan.Zero, institution.DecoupledPollInterval);
                    break;
                default:
                    checks.End(connection, ConnectionStatus.Failed, "bank_refused", requestId: null);
                    logger.LogWarning("Connection {ConnectionId}: the bank answered the unexpected authorisation status {BankStatus}", connection.Id, poll.BankStatus);
                    break;
            }
        }
        catch (ConnectorException e)
        {
            logger.LogWarning(e, "Polling the decoupled authorisation of connection {ConnectionId} failed", connection.Id);
            if (now >= connection.AuthorisationDeadline || !e.IsTransient)
            {
                checks.End(connection, ConnectionStatus.Failed, BankCalls.Describe(e).Code, requestId: null);
            }
            else
            {
                connection.NextPollAt = now + BankTrouble;
            }
        }

        await db.SaveChangesAsync(cancellationToken);
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
