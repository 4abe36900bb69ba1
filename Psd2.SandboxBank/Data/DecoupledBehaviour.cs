namespace Psd2.SandboxBank.Data;

/// <summary>How a PSU's simulated BankID app answers a decoupled authorisation.</summary>
public enum DecoupledBehaviour
{
    /// <summary>Approves after the bank's configured delay, as most customers do.</summary>
    ApproveAfterDelay,

    /// <summary>Presses cancel in the app.</summary>
    Cancel,

    /// <summary>Never opens the app, so the order runs out of time.</summary>
    Timeout,

    /// <summary>Waits for a tester to approve or cancel on the bank's "BankID app" page.</summary>
    Manual,
}
