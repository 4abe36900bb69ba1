using Psd2.Core.Connectors;

namespace Psd2.Api.Banking;

/// <summary>How a failed call to a bank reaches the client: refused by the bank (422) or the bank unavailable (502).</summary>
public static class BankCalls
{
    /// <param name="refusedCode">The code for a refusal where a more precise one fits (a consent the bank would not create).</param>
    public static ApiError Describe(ConnectorException e, string refusedCode = "bank_refused") => e.IsTransient
        ? new ApiError(StatusCodes.Status502BadGateway, "bank_unavailable", "The bank could not be reached or failed; try again later.", "bank_error:" + e.BankCode)
        : new ApiError(StatusCodes.Status422UnprocessableEntity, refusedCode, "The bank refused the request.", "bank_error:" + e.BankCode);
}
