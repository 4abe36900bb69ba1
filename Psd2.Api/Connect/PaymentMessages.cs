using System.Globalization;
using Psd2.Api.Payments;
using Psd2.Core.Payments;

namespace Psd2.Api.Connect;

/// <summary>What the Connect pages tell the user about a payment, in plain words: never a status code, an id or a token.</summary>
public static class PaymentMessages
{
    public static string BankUnreachable(string bankName) => $"{bankName} could not be reached. Try again in a moment.";

    /// <summary>Whether the payment still waits for the user: the page reloads until it does not.</summary>
    public static bool IsWaiting(Payment payment) =>
        payment.Status is PaymentStatus.Initiating or PaymentStatus.PendingAuthorisation or PaymentStatus.AwaitingDecoupledAuthorisation;

    public static (string Title, string Message) Waiting(Payment payment, PaymentDetails.Summary summary) =>
        payment.Flow == PaymentFlow.Decoupled
            ? ("Open BankID on your phone", $"Open the BankID app on your phone and approve the payment of {summary.Amount} to {summary.CreditorName}.")
            : ("Finish at your bank", $"Finish approving the payment at {summary.BankName}. When you are done, your bank sends you back here.");

    /// <summary>The final word on a payment that no longer waits for the user.</summary>
    public static (string Title, string Message, bool Succeeded) Outcome(Payment payment, PaymentDetails.Summary summary, string clientAppName) =>
        (payment.Status, payment.StatusReason) switch
        {
            (PaymentStatus.Executed, _) => ("Payment sent", $"{summary.BankName} has paid {summary.Amount} to {summary.CreditorName}.", true),
            (PaymentStatus.Accepted, _) when payment.RequestedExecutionDate is { } day =>
                ("Payment sent", $"{summary.BankName} will pay {summary.Amount} to {summary.CreditorName} on {day.ToString("d MMMM yyyy", CultureInfo.InvariantCulture)}.", true),
            (PaymentStatus.Accepted, _) => ("Payment sent", $"{summary.BankName} accepted the payment of {summary.Amount} to {summary.CreditorName}.", true),
            (PaymentStatus.Rejected, "insufficient_funds") =>
                ("Payment refused", "There was not enough money in your account, so nothing was paid.", false),
            (PaymentStatus.Rejected, "authorisation_timed_out") =>
                ("Payment refused", "The payment was not approved in time, so nothing was paid.", false),
            (PaymentStatus.Rejected, "account_closed_or_blocked") =>
                ("Payment refused", "Your account is closed or blocked for payments, so nothing was paid.", false),
            (PaymentStatus.Rejected, _) =>
                ("Payment refused", $"{summary.BankName} did not accept the payment, so nothing was paid.", false),
            (PaymentStatus.Cancelled, _) => ("Payment cancelled", "You did not approve the payment, so nothing was paid.", false),
            _ => ("Something went wrong", $"{summary.BankName} did not confirm whether the payment was made. Check your account at {summary.BankName} before you pay again from {clientAppName}.", false),
        };
}
