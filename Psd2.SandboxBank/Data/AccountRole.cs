namespace Psd2.SandboxBank.Data;

/// <summary>What an account is for within its PSU's accounts.</summary>
internal enum AccountRole
{
    /// <summary>Receives the income, pays the bills, and funds the other accounts each month.</summary>
    Salary,

    Savings,

    /// <summary>A spending account topped up monthly from the salary account, often in another currency.</summary>
    Secondary,

    /// <summary>A sole trader's business account; the owner's draw goes to the salary account.</summary>
    Business,
}
