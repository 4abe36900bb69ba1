namespace Psd2.SandboxBank.Data;

internal enum HouseholdKind
{
    /// <summary>Salary in kronor.</summary>
    Ordinary,

    /// <summary>Lives and is paid in Finland, keeps a krona account for Sweden.</summary>
    Finland,

    /// <summary>Runs a café as a sole trader.</summary>
    Business,
}
