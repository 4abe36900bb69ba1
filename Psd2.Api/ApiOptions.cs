using System.ComponentModel.DataAnnotations;

namespace Psd2.Api;

/// <summary>How the api is reached from outside: banks send the end user's browser back to it.</summary>
public sealed class ApiOptions
{
    public const string Section = "Api";

    [Required, Url]
    public string PublicBaseUrl { get; set; } = "";

    public string CallbackUrl => PublicBaseUrl.TrimEnd('/') + "/connect/callback";

    /// <summary>Where banks send the browser back after a payment's authorisation.</summary>
    public string PaymentCallbackUrl => PublicBaseUrl.TrimEnd('/') + "/connect/payment-callback";
}
