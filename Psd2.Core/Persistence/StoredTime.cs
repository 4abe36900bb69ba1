namespace Psd2.Core.Persistence;

public static class StoredTime
{
    /// <summary>
    /// The time as PostgreSQL keeps it (whole microseconds), so that what a create returns is what every later read
    /// returns: a .NET timestamp carries tenths of a microsecond that <c>timestamptz</c> drops.
    /// </summary>
    public static DateTimeOffset AsStored(this DateTimeOffset value) => value.AddTicks(-(value.Ticks % TimeSpan.TicksPerMicrosecond));
}
