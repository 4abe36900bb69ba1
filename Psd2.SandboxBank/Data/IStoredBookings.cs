namespace Psd2.SandboxBank.Data;

/// <summary>
/// Booked entries the bank stores rather than generates (the payments its customers made through a TPP), which the
/// <see cref="TransactionGenerator"/> merges into an account's generated statement and balances.
/// </summary>
public interface IStoredBookings
{
    /// <summary>The stored entries booked on <paramref name="day"/>, newest first.</summary>
    IReadOnlyList<BankTransaction> BookedOn(AccountSeed account, DateOnly day);

    /// <summary>The sum of the stored entries booked through <paramref name="day"/> (signed: debits are negative).</summary>
    decimal BookedThrough(AccountSeed account, DateOnly day);
}
