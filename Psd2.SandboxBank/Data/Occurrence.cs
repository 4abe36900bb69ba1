namespace Psd2.SandboxBank.Data;

/// <summary>
/// Something that happened on an account on one day, before it is dressed as a <see cref="BankTransaction"/>.
/// Cheap to make: the bank decides what books on a day from these and dresses only those.
/// </summary>
internal struct Occurrence
{
    public OccurrenceSource Source;

    /// <summary>Its number within its source on the day: the monthly item, the sibling account, or the draw.</summary>
    public int Ordinal;

    public OccurrenceKind Kind;

    /// <summary>Days from happening to booking.</summary>
    public int Lag;

    /// <summary>A card authorisation that is released instead of settled: pending until it would have booked, then gone.</summary>
    public bool Cancelled;

    /// <summary>Signed amount in minor units; set once <see cref="Complete"/> is true.</summary>
    public long Minor;

    /// <summary>For everyday transactions: the merchant, sale, supplier or cash machine.</summary>
    public int Item;

    /// <summary>For everyday transactions: the person paid or paying.</summary>
    public int Person;

    /// <summary>Random bits for texts: a message, an invoice number.</summary>
    public ulong Detail;

    /// <summary>For monthly payments: the date it was due, which names the month it is for.</summary>
    public DateOnly Due;

    public bool Complete;

    /// <summary>The random stream of an everyday transaction, where its header stopped drawing.</summary>
    public SplitMix64 Random;

    public readonly ulong Identity => ((ulong)Source << 32) | (uint)Ordinal;
}
