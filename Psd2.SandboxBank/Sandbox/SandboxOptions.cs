namespace Psd2.SandboxBank.Sandbox;

/// <summary>The controls under /sandbox: who may use them, and whether the test clock may move.</summary>
public sealed class SandboxOptions
{
    public const string Section = "SandboxBank:Sandbox";

    /// <summary>Sent as X-Admin-Key. Without one configured, the controls answer 404: they do not exist.</summary>
    public string? AdminKey { get; set; }

    /// <summary>Moving the bank's clock is for test environments only.</summary>
    public bool EnableTestClock { get; set; }
}
