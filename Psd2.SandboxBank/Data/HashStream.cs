namespace Psd2.SandboxBank.Data;

/// <summary>
/// Separates the random streams drawn from one seed, so that adding a draw to one purpose never shifts another
/// (a new kind of bill must not change every card purchase). Append only: the values feed every generated id.
/// </summary>
internal enum HashStream : ulong
{
    Population = 1,
    CreatedPsu,
    Budget,
    Layout,
    Profile,
    Contacts,
    DailyCount,
    Occurrence,
    Scheduled,
    TransactionId,
    EntryReference,
    ResourceId,
    Withdrawal,
    Iban,
    Settlement,
    UkAccountNumber,
}
