using Psd2.Core.Connections;

namespace Psd2.Api.Connect;

/// <summary>What the Connect pages tell the user, in plain words: never an error code, an id or a token.</summary>
public static class ConnectMessages
{
    public const string LinkGoneTitle = "This link is no longer valid";
    public const string LinkUsed = "This link has already been used. Go back to the service you came from to connect your bank again.";
    public const string LinkUnknown = "This link has expired or is not valid. Go back to the service you came from and start again.";
    public const string PersonalNumberNeeded = "Enter your personal number, 12 digits (YYYYMMDDNNNN), to use BankID on another device.";

    /// <summary>What a connection with this scope reads, as the sentence "asks to read ..." ends.</summary>
    public static string Reading(IReadOnlyList<string> access) =>
        access.Contains(ConnectionAccess.Transactions) ? "your accounts, their balances and transactions"
        : access.Contains(ConnectionAccess.Balances) ? "your accounts and their balances"
        : "the list of your accounts";

    /// <summary>Why the connection could not start, for a form the user can correct and send again.</summary>
    public static string Refusal(ApiError error, string? bankName) => (error.Code, error.Field) switch
    {
        ("institution_unknown", _) => "Choose your bank.",
        ("flow_not_supported", _) => $"{bankName ?? "This bank"} does not offer this way of signing in. Choose the other one.",
        (_, "psuId") => PersonalNumberNeeded,
        (_, "validDays") => $"{bankName ?? "This bank"} does not allow access for as long as this service asks. Choose another bank or go back to the service.",
        ("redirect_uri_not_allowed", _) => "The service that sent you here no longer accepts this link. Go back to it and start again.",
        ("consent_rejected", _) => $"{bankName ?? "Your bank"} did not accept the request. Check your personal number, or choose another way to sign in.",
        ("bank_refused", _) => $"{bankName ?? "Your bank"} refused the request. Try again, or choose another way to sign in.",
        ("bank_unavailable", _) => $"{bankName ?? "Your bank"} could not be reached. Try again in a moment.",
        _ => "The connection could not be started. Try again.",
    };

    public static (string Title, string Message) Waiting(Connection connection, string clientAppName, string bankName) =>
        connection.Flow == ConnectionFlow.Decoupled
            ? ("Open BankID on your phone", $"Open the BankID app on your phone and approve the request from {clientAppName} to read your accounts at {bankName}.")
            : ("Finish signing in at your bank", $"Finish signing in at {bankName}. When you are done, your bank sends you back here.");

    /// <summary>The final word on a connection that is no longer waiting for the user.</summary>
    public static (string Title, string Message, bool Succeeded) Outcome(Connection connection, string clientAppName, string bankName) =>
        (connection.Status, connection.StatusReason) switch
        {
            (ConnectionStatus.Active or ConnectionStatus.RenewalDue, _) =>
                ("Your bank account is connected", $"{clientAppName} can now read your account information at {bankName}. You can withdraw this at any time.", true),
            (ConnectionStatus.Rejected, _) =>
                ("You cancelled the connection", $"You did not approve the request, so nothing was shared with {clientAppName}.", false),
            (ConnectionStatus.Expired, "authorisation_timed_out") =>
                ("Time ran out", $"The request was not approved in time, so nothing was shared with {clientAppName}. You can try again from {clientAppName}.", false),
            (ConnectionStatus.Expired, _) =>
                ("This connection has expired", $"The access you gave {clientAppName} at {bankName} has ended. You can connect again from {clientAppName}.", false),
            (ConnectionStatus.Revoked, _) =>
                ("This connection has ended", $"{clientAppName} can no longer read your account information at {bankName}.", false),
            (_, "bank_unavailable") =>
                ("Your bank could not be reached", $"{bankName} did not answer, so the connection was not made. Please try again later from {clientAppName}.", false),
            _ =>
                ("The connection could not be made", $"{bankName} could not complete the connection, so nothing was shared with {clientAppName}. Please try again later.", false),
        };
}
