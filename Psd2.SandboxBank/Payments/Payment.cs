namespace Psd2.SandboxBank.Payments;

/// <summary>The ISO 20022 transaction statuses this bank gives a payment.</summary>
public static class TransactionStatus
{
    /// <summary>Received, awaiting the PSU's authorisation.</summary>
    public const string Received = "RCVD";

    /// <summary>Authorised and funded, waiting for its requested execution date.</summary>
    public const string Accepted = "ACCP";

    /// <summary>Executed: the debtor account is debited.</summary>
    public const string Executed = "ACSC";

    public const string Rejected = "RJCT";

    public const string Cancelled = "CANC";
}

/// <summary>ISO 20022 status reasons (ExternalStatusReason1Code) of a rejected payment.</summary>
public static class StatusReason
{
    /// <summary>AM04 InsufficientFunds.</summary>
    public const string InsufficientFunds = "AM04";

    /// <summary>NOAS NoAnswerFromCustomer: the PSU never answered the BankID order.</summary>
    public const string NoAnswer = "NOAS";
}

/// <summary>The payment products this bank offers under /v1/payments.</summary>
public static class PaymentProduct
{
    public const string Sepa = "sepa-credit-transfers";
    public const string InstantSepa = "instant-sepa-credit-transfers";

    public static bool IsKnown(string product) => product is Sepa or InstantSepa;
}

/// <param name="DebitAmount">What the debtor account is debited, in its own currency (positive).</param>
/// <param name="ExecutionDate">The bank day the debit books; set once the payment is accepted.</param>
public sealed record Payment(
    string PaymentId,
    string TppId,
    string Product,
    Guid RequestId,
    string Status,
    string? StatusReason,
    string DebtorResourceId,
    string DebtorIban,
    string CreditorIban,
    string CreditorName,
    decimal Amount,
    string Currency,
    decimal DebitAmount,
    string? Remittance,
    string? EndToEndId,
    DateOnly? RequestedExecutionDate,
    DateOnly? ExecutionDate,
    string? ScaApproach,
    string? PsuId,
    string? RedirectUri,
    string? NokRedirectUri,
    DateTimeOffset CreatedAt)
{
    /// <summary>The status as of a bank day: an accepted payment is executed from its execution date on.</summary>
    public string StatusOn(DateOnly today) =>
        Status == TransactionStatus.Accepted && ExecutionDate <= today ? TransactionStatus.Executed : Status;

    /// <summary>Accepted or executed: the debtor account is (or will be) debited.</summary>
    public bool IsAccepted => Status is TransactionStatus.Accepted or TransactionStatus.Executed;

    public string Path => $"/v1/payments/{Product}/{PaymentId}";
}
