namespace Psd2.SandboxBank.Data;

/// <summary>A customer of the sandbox bank, signing in with BankID under <paramref name="PersonalNumber"/>.</summary>
public sealed record PsuSeed(string PersonalNumber, string Name, DecoupledBehaviour Decoupled, IReadOnlyList<AccountSeed> Accounts);
