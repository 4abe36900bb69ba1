using System.ComponentModel.DataAnnotations;

namespace Psd2.Core.Webhooks;

/// <summary>The webhook delivery schedule (section <c>Webhooks</c>), the same for the api (which validates URLs) and the worker (which delivers).</summary>
public sealed class WebhookOptions : IValidatableObject
{
    public const string Section = "Webhooks";

    /// <summary>The wait after the first failed attempt; it doubles with each failure up to <see cref="BackoffCap"/>.</summary>
    public TimeSpan BackoffBase { get; set; } = TimeSpan.FromSeconds(10);

    public TimeSpan BackoffCap { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long a delivery is retried before it is dead-lettered.</summary>
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How long one POST may take, connecting included.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long the previous secret keeps signing after a rotation.</summary>
    public TimeSpan PreviousSecretLifetime { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Deliveries sent at once by one worker.</summary>
    [Range(1, 64)]
    public int Concurrency { get; set; } = 8;

    /// <summary>
    /// Accept <c>http://</c> URLs on loopback addresses (127.0.0.0/8, ::1) and deliver to them: for the test harness's
    /// receivers only. Refused outside the Development and Testing environments.
    /// </summary>
    public bool AllowLoopbackHttp { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (BackoffBase <= TimeSpan.Zero || BackoffCap < BackoffBase)
        {
            yield return new("Webhooks:BackoffBase must be positive and Webhooks:BackoffCap at least as long.", [nameof(BackoffBase), nameof(BackoffCap)]);
        }

        if (MaxAge < BackoffBase)
        {
            yield return new("Webhooks:MaxAge must be at least Webhooks:BackoffBase.", [nameof(MaxAge)]);
        }

        if (RequestTimeout < TimeSpan.FromMilliseconds(100) || RequestTimeout > TimeSpan.FromMinutes(1))
        {
            yield return new("Webhooks:RequestTimeout must be between 100 ms and 1 minute.", [nameof(RequestTimeout)]);
        }

        if (PreviousSecretLifetime < TimeSpan.Zero)
        {
            yield return new("Webhooks:PreviousSecretLifetime must not be negative.", [nameof(PreviousSecretLifetime)]);
        }
    }
}
