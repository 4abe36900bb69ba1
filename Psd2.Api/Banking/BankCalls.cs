using System.Text.Json;
using Polly.CircuitBreaker;
using Polly.Timeout;
using Psd2.Core.Banking;

namespace Psd2.Api.Banking;

/// <summary>How a failed call to a bank reaches the client: refused by the bank (422) or the bank unavailable (502).</summary>
public static class BankCalls
{
    /// <summary>A failure of the bank or of the way to it, as opposed to the caller giving up.</summary>
    public static bool IsBankFailure(Exception e, CancellationToken cancellationToken) =>
        e is BankException or HttpRequestException or JsonException or BrokenCircuitException or TimeoutRejectedException
        || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested);

    /// <param name="refusedCode">The code for a refusal where a more precise one fits (a consent the bank would not create).</param>
    public static ApiError Describe(Exception e, string refusedCode = "bank_refused") => e is BankException { IsRefusal: true } refusal
        ? new ApiError(StatusCodes.Status422UnprocessableEntity, refusedCode, "The bank refused the request.", "bank_error:" + refusal.Code)
        : new ApiError(StatusCodes.Status502BadGateway, "bank_unavailable", "The bank could not be reached or failed; try again later.",
            e is BankException bankError ? "bank_error:" + bankError.Code : "bank_unavailable");
}
