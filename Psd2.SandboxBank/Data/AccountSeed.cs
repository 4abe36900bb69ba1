namespace Psd2.SandboxBank.Data;

/// <summary>
/// Everything the bank stores about an account; its transactions are not stored but generated from
/// <paramref name="Seed"/> day by day (see <see cref="TransactionGenerator"/>).
/// </summary>
/// <param name="ResourceId">Stable opaque id, a GUID derived from the seed.</param>
/// <param name="OpeningBalance">The balance before <paramref name="OpenedOn"/>.</param>
/// <param name="OpenedOn">The first day with transactions.</param>
/// <param name="TransactionsPerDay">Average number of card purchases and other everyday payments per day.</param>
/// <param name="Seed">
/// The account's generator seed. It also encodes the account's place among the PSU's accounts, so that transfers
/// between a PSU's own accounts show on both sides.
/// </param>
public sealed record AccountSeed(
    string ResourceId,
    string Iban,
    string Currency,
    string Name,
    string Product,
    string OwnerName,
    decimal OpeningBalance,
    DateOnly OpenedOn,
    int TransactionsPerDay,
    ulong Seed);
