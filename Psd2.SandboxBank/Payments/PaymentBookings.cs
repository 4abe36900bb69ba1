using System.Collections.Concurrent;
using Psd2.SandboxBank.Data;

namespace Psd2.SandboxBank.Payments;

/// <summary>
/// The accepted payments as booked debits of their debtor accounts, which the transaction generator merges into the
/// generated statement and balances, so every dialect's transactions and balances show them. Held in memory (the bank
/// is one process over its database): loaded at start, added to as payments are accepted. A debit books on its
/// execution date; one dated ahead stays out of every day before it, so it appears as that day arrives.
/// </summary>
public sealed class PaymentBookings : IStoredBookings
{
    private readonly ConcurrentDictionary<string, Payment[]> _byAccount = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    public void Add(Payment payment)
    {
        lock (_gate)
        {
            var current = _byAccount.GetValueOrDefault(payment.DebtorResourceId, []);
            if (current.Any(p => p.PaymentId == payment.PaymentId))
            {
                return;
            }

            // Newest first: latest execution day, then latest made.
            _byAccount[payment.DebtorResourceId] = [.. current.Append(payment)
                .OrderByDescending(p => p.ExecutionDate).ThenByDescending(p => p.CreatedAt).ThenBy(p => p.PaymentId, StringComparer.Ordinal)];
        }
    }

    public IReadOnlyList<BankTransaction> BookedOn(AccountSeed account, DateOnly day)
    {
        if (!_byAccount.TryGetValue(account.ResourceId, out var payments))
        {
            return [];
        }

        return payments.Where(p => p.ExecutionDate == day).Select(p => Debit(p, account)).ToList();
    }

    public decimal BookedThrough(AccountSeed account, DateOnly day) =>
        _byAccount.TryGetValue(account.ResourceId, out var payments) ? -payments.Where(p => p.ExecutionDate <= day).Sum(p => p.DebitAmount) : 0;

    /// <summary>What is promised to payments dated after <paramref name="today"/>: the available balance no longer has it.</summary>
    public decimal ReservedAfter(string resourceId, DateOnly today) =>
        _byAccount.TryGetValue(resourceId, out var payments) ? payments.Where(p => p.ExecutionDate > today).Sum(p => p.DebitAmount) : 0;

    /// <summary>A payment as its debtor's statement shows it: money out to the creditor, booked and valued on its execution date.</summary>
    private static BankTransaction Debit(Payment payment, AccountSeed account) => new(
        TransactionId: payment.PaymentId,
        EntryReference: payment.EndToEndId ?? payment.PaymentId,
        Booked: true,
        BookingDate: payment.ExecutionDate,
        ValueDate: payment.ExecutionDate!.Value,
        Amount: -payment.DebitAmount,
        Currency: account.Currency,
        CreditorName: payment.CreditorName,
        CreditorIban: payment.CreditorIban,
        DebtorName: null,
        DebtorIban: null,
        RemittanceInformationUnstructured: payment.Remittance ?? "",
        BankTransactionCode: "PMNT-ICDT-ESCT",
        ProprietaryBankTransactionCode: payment.Product == PaymentProduct.InstantSepa ? "INSTANT" : null);
}
