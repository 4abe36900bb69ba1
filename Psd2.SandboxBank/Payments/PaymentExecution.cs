using Psd2.SandboxBank.Accounts;
using Psd2.SandboxBank.Consents;
using Psd2.SandboxBank.Psus;
using Psd2.SandboxBank.Time;

namespace Psd2.SandboxBank.Payments;

/// <summary>
/// What happens to a payment once the PSU has answered: on approval the debtor account's available balance
/// (interimAvailable, less what payments dated ahead have promised) must cover it, and it is executed (ACSC) or
/// accepted until its requested execution date (ACCP), else rejected with AM04; on refusal it is cancelled, and an
/// order the PSU never answered is rejected (the spec: an SCA not completed in time leaves the payment RJCT).
/// </summary>
public sealed class PaymentExecution(PaymentStore store, PaymentBookings bookings, AccountViews views, PsuDirectory psus, BankClock clock)
{
    // One decision at a time per account, so two payments cannot both spend the same money (the bank is one process).
    private readonly SemaphoreSlim[] _accountLocks = [.. Enumerable.Range(0, 64).Select(_ => new SemaphoreSlim(1, 1))];

    /// <summary>The PSU approved. False when the authorisation or payment was already decided, or the PSU cannot pay from the account.</summary>
    public async Task<bool> AuthoriseAsync(Authorisation authorisation, string personalNumber, CancellationToken cancellationToken)
    {
        var payment = authorisation.PaymentId is { } paymentId ? await store.FindAsync(paymentId, cancellationToken) : null;
        if (payment is null || payment.Status != TransactionStatus.Received)
        {
            return false;
        }

        if (!(await psus.AccountsAsync(personalNumber, cancellationToken)).Any(a => a.ResourceId == payment.DebtorResourceId))
        {
            await RefuseAsync(authorisation, timedOut: false, cancellationToken);
            return false;
        }

        return await DecideAsync(payment, async (status, reason, executionDate) =>
            await store.DecideAsync(authorisation.AuthorisationId, payment.PaymentId, authorised: true, personalNumber, status, reason, executionDate, cancellationToken),
            cancellationToken);
    }

    /// <summary>The PSU refused or cancelled (CANC), or never answered (RJCT, NOAS).</summary>
    public async Task RefuseAsync(Authorisation authorisation, bool timedOut, CancellationToken cancellationToken)
    {
        if (authorisation.PaymentId is { } paymentId)
        {
            await store.DecideAsync(authorisation.AuthorisationId, paymentId, authorised: false, null,
                timedOut ? TransactionStatus.Rejected : TransactionStatus.Cancelled, timedOut ? StatusReason.NoAnswer : null, null, cancellationToken);
        }
    }

    /// <summary>
    /// Judges a payment's funds under its account's lock and records the outcome with <paramref name="record"/>
    /// (false when it was decided meanwhile); an accepted payment then books on its execution date.
    /// </summary>
    public async Task<bool> DecideAsync(Payment payment, Func<string, string?, DateOnly?, Task<bool>> record, CancellationToken cancellationToken)
    {
        var gate = _accountLocks[(int)((uint)StringComparer.Ordinal.GetHashCode(payment.DebtorResourceId) % (uint)_accountLocks.Length)];
        await gate.WaitAsync(cancellationToken);
        try
        {
            var (status, reason, executionDate) = await JudgeAsync(payment, cancellationToken);
            if (!await record(status, reason, executionDate))
            {
                return false;
            }

            if (executionDate is not null)
            {
                bookings.Add(payment with { Status = status, ExecutionDate = executionDate });
            }

            return true;
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task<(string Status, string? Reason, DateOnly? ExecutionDate)> JudgeAsync(Payment payment, CancellationToken cancellationToken)
    {
        var today = clock.Today;
        var account = await psus.AccountAsync(payment.DebtorResourceId, cancellationToken)
            ?? throw new InvalidOperationException($"The debtor account of payment {payment.PaymentId} is gone.");
        var spendable = views.Available(account, today) - bookings.ReservedAfter(account.ResourceId, today);
        if (spendable < payment.DebitAmount)
        {
            return (TransactionStatus.Rejected, StatusReason.InsufficientFunds, null);
        }

        var executionDate = payment.RequestedExecutionDate is { } requested && requested > today ? requested : today;
        return (executionDate > today ? TransactionStatus.Accepted : TransactionStatus.Executed, null, executionDate);
    }
}
