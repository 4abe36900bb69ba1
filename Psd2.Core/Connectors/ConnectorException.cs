namespace Psd2.Core.Connectors;

/// <summary>What went wrong at the bank, in the platform's terms, whatever the standard's error dialect.</summary>
public enum ConnectorFailure
{
    /// <summary>The consent's validity ended.</summary>
    ConsentExpired,

    /// <summary>The consent was revoked, terminated, rejected or is unknown to the bank.</summary>
    ConsentInvalid,

    /// <summary>The day's unattended reads are spent; <see cref="ConnectorException.NextAllowedAt"/> says when the next is.</summary>
    AccessExceeded,

    /// <summary>The access token expired or was not accepted: refresh it once and retry.</summary>
    TokenExpired,

    /// <summary>The bank is unavailable or failed, after the resilience pipeline's retries.</summary>
    Transient,

    /// <summary>The bank refused the request for another reason, or answered what the platform cannot continue with.</summary>
    Refused,
}

public sealed class ConnectorException(ConnectorFailure failure, string bankCode, string message, DateTimeOffset? nextAllowedAt = null, Exception? inner = null)
    : Exception(message, inner)
{
    public ConnectorFailure Failure { get; } = failure;

    /// <summary>The bank's own code (a Berlin Group tppMessages code, an OAuth error), or the platform's word for what failed on the way.</summary>
    public string BankCode { get; } = bankCode;

    public DateTimeOffset? NextAllowedAt { get; } = nextAllowedAt;

    /// <summary>Worth trying again later; anything else is the bank's refusal, which asking again does not change.</summary>
    public bool IsTransient => Failure == ConnectorFailure.Transient;
}
