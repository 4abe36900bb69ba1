namespace Psd2.SandboxBank.Data;

/// <summary>How a monthly payment's text is completed from its due date.</summary>
internal enum Wording
{
    Fixed,

    /// <summary>"Lon november": the month it is for.</summary>
    Month,

    /// <summary>"Hyra december": rent is paid ahead, for the month to come.</summary>
    NextMonth,

    /// <summary>"Overforing eget konto, kurs 11.2345": a transfer between currencies names its rate.</summary>
    Rate,
}
