namespace Psd2.SandboxBank.Data;

/// <summary>Where an occurrence comes from; part of its identity, so its ids never collide with another source's.</summary>
internal enum OccurrenceSource : byte
{
    Monthly = 1,
    Withdrawal,
    Interest,
    Settlement,
    Everyday,
}
