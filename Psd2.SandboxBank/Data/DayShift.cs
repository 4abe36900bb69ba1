namespace Psd2.SandboxBank.Data;

/// <summary>Where a monthly payment moves when its date falls on a weekend.</summary>
internal enum DayShift
{
    /// <summary>Card charges and interest happen on the day itself.</summary>
    None,

    /// <summary>Bills and standing orders are executed on the next banking day.</summary>
    NextWeekday,

    /// <summary>Swedish salaries are paid on the last banking day before a weekend 25th.</summary>
    PreviousWeekday,
}
