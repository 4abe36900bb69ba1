using Microsoft.Extensions.Options;
using Psd2.SandboxBank.Consents;
using Psd2.SandboxBank.Data;
using Psd2.SandboxBank.Payments;
using Psd2.SandboxBank.Psus;
using Psd2.SandboxBank.Time;

namespace Psd2.SandboxBank.Sca;

/// <summary>
/// Decides authorisations: the PSU approving or refusing on the bank's pages, and the simulated BankID app for
/// decoupled orders, which answers according to the test PSU's behaviour as time passes (checked whenever the
/// order is looked at, so no timer is needed and the test clock moves it too). A payment's authorisation is decided
/// the same way; what its approval or refusal does to the payment is <see cref="PaymentExecution"/>'s.
/// </summary>
public sealed class ScaService(ConsentStore consents, PaymentExecution payments, PsuDirectory psus, BankClock clock, IOptionsMonitor<BankOptions> options)
{
    /// <summary>
    /// A TPP's poll of a decoupled order at the bank's pace: null when it comes sooner than
    /// <see cref="BankOptions.DecoupledPollInterval"/> after the previous one, else the order brought up to date.
    /// </summary>
    public async Task<Authorisation?> PollAsync(Authorisation authorisation, CancellationToken cancellationToken)
    {
        if (authorisation.ScaApproach != ScaApproach.Decoupled || ScaStatus.IsFinal(authorisation.ScaStatus))
        {
            return authorisation;
        }

        return await consents.TryRecordPollAsync(authorisation.AuthorisationId, clock.GetUtcNow(), options.CurrentValue.DecoupledPollInterval, cancellationToken)
            ? await CatchUpAsync(authorisation, cancellationToken)
            : null;
    }

    public async Task<Authorisation> CatchUpAsync(Authorisation authorisation, CancellationToken cancellationToken)
    {
        if (authorisation.ScaApproach != ScaApproach.Decoupled || ScaStatus.IsFinal(authorisation.ScaStatus))
        {
            return authorisation;
        }

        var bank = options.CurrentValue;
        var psu = authorisation.PersonalNumber is null ? null : await psus.FindAsync(authorisation.PersonalNumber, cancellationToken);
        var waited = clock.GetUtcNow() - (authorisation.StartedAt ?? authorisation.CreatedAt);
        var answered = waited >= bank.DecoupledApprovalDelay;
        switch (psu?.Decoupled)
        {
            case DecoupledBehaviour.ApproveAfterDelay when answered:
                await ApproveAsync(authorisation, psu.PersonalNumber, cancellationToken);
                break;
            case DecoupledBehaviour.Cancel when answered:
            case null:
                await RejectAsync(authorisation, cancellationToken);
                break;
            case var _ when waited >= bank.DecoupledTimeout:
                await RejectAsync(authorisation, cancellationToken, timedOut: true);
                break;
            default:
                return authorisation;
        }

        return await consents.FindAuthorisationAsync(authorisation.AuthorisationId, cancellationToken) ?? authorisation;
    }

    /// <summary>The PSU approved. The consent is rejected instead when none of the PSU's accounts match what it asks for.</summary>
    public async Task<bool> ApproveAsync(Authorisation authorisation, string personalNumber, CancellationToken cancellationToken)
    {
        if (authorisation.ConsentId is null)
        {
            return await payments.AuthoriseAsync(authorisation, personalNumber, cancellationToken);
        }

        var consent = await consents.FindAsync(authorisation.ConsentId, cancellationToken);
        if (consent is null)
        {
            return false;
        }

        var grants = AccessGrants.For(consent, await psus.AccountsAsync(personalNumber, cancellationToken));
        if (grants.Count == 0)
        {
            await consents.RejectAsync(authorisation, cancellationToken);
            return false;
        }

        return await consents.ApproveAsync(authorisation, personalNumber, grants, cancellationToken);
    }

    /// <param name="timedOut">The PSU never answered the order (rather than refusing it).</param>
    public Task RejectAsync(Authorisation authorisation, CancellationToken cancellationToken, bool timedOut = false) =>
        authorisation.ConsentId is null
            ? payments.RefuseAsync(authorisation, timedOut, cancellationToken)
            : consents.RejectAsync(authorisation, cancellationToken, timedOut);
}
