using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;

namespace Psd2.Core.Connectors.BerlinGroup;

/// <summary>
/// Payment initiation (PIS): SEPA credit transfers under <c>/v1/payments/{product}</c>, always signed, with the
/// platform's X-Request-ID of the payment (the bank answers a repeated one with the payment it made), SCA through the
/// payment's <c>scaOAuth</c> (scope <c>PIS:&lt;paymentId&gt;</c>) or <c>scaStatus</c> link, and ISO 20022 statuses.
/// </summary>
public sealed partial class BerlinGroupConnector : IPaymentConnector
{
    public async Task<InitiatedPayment> InitiatePaymentAsync(PaymentOrder order, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/payments/{order.Product}");
        request.Headers.Add("X-Request-ID", order.RequestId.ToString());
        request.Headers.Add("PSU-IP-Address", order.PsuIpAddress);
        if (order.DecoupledPsuId is { } psuId)
        {
            request.Headers.Add("PSU-ID", psuId);
            request.Headers.Add("TPP-Decoupled-Preferred", "true");
        }
        else
        {
            request.Headers.Add("TPP-Redirect-URI", order.RedirectUri);
            request.Headers.Add("TPP-Redirect-Preferred", "true");
        }

        request.Content = JsonContent.Create(new
        {
            debtorAccount = new { iban = order.DebtorIban },
            instructedAmount = new { currency = order.Currency, amount = order.Amount.ToString("0.00", CultureInfo.InvariantCulture) },
            creditorAccount = new { iban = order.CreditorIban },
            creditorName = order.CreditorName,
            remittanceInformationUnstructured = order.Remittance,
            requestedExecutionDate = order.RequestedExecutionDate?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        }, options: OmitNulls);
        using var body = await CallAsync(request, null, cancellationToken);
        return BankHttp.Shape(body, root => new InitiatedPayment(
            BankHttp.Required(root, "paymentId"), order.Product, State(root), Link(root, "scaOAuth"), Link(root, "scaStatus")));
    }

    public async Task<AuthorisationRedirect> PaymentRedirectAsync(InitiatedPayment payment, RedirectRequest request, CancellationToken cancellationToken)
    {
        var server = await oauth.DiscoverAsync(payment.Redirect
            ?? throw new ConnectorException(ConnectorFailure.Refused, "sca_unsupported", "The bank offered no redirect authorisation."), cancellationToken);
        return new AuthorisationRedirect(OAuthClient.AuthorizationUrl(server, request, "PIS:" + payment.PaymentId), server.TokenEndpoint);
    }

    public async Task<PaymentState> GetPaymentStateAsync(string product, string paymentId, CancellationToken cancellationToken)
    {
        using var request = Request(HttpMethod.Get, $"/v1/payments/{product}/{Uri.EscapeDataString(paymentId)}/status");
        using var body = await CallAsync(request, null, cancellationToken);
        return BankHttp.Shape(body, State);
    }

    /// <summary>The ISO 20022 status, as the platform places it, and a rejection's reason from the bank's messages.</summary>
    private static PaymentState State(JsonElement root)
    {
        var status = BankHttp.Required(root, "transactionStatus");
        var progress = status switch
        {
            "RCVD" or "PDNG" or "PATC" or "PART" => PaymentProgress.Received,
            "ACTC" or "ACCP" or "ACFC" or "ACWC" or "ACWP" or "ACSP" => PaymentProgress.Accepted,
            "ACSC" or "ACCC" => PaymentProgress.Executed,
            "RJCT" => PaymentProgress.Rejected,
            "CANC" => PaymentProgress.Cancelled,
            _ => PaymentProgress.Other,
        };
        return new PaymentState(progress, status, progress == PaymentProgress.Rejected ? RejectionReason(root) : null);
    }

    /// <summary>ISO 20022's reason code where the bank gives one (in a message's text or the PSU message).</summary>
    private static string RejectionReason(JsonElement root)
    {
        var said = string.Join(' ', (root.TryGetProperty("tppMessages", out var messages) && messages.ValueKind == JsonValueKind.Array
                ? messages.EnumerateArray().Select(m => $"{BankHttp.String(m, "code")} {BankHttp.String(m, "text")}")
                : []).Append(BankHttp.String(root, "psuMessage")));
        return said.Contains("AM04", StringComparison.Ordinal) ? "insufficient_funds"
            : said.Contains("NOAS", StringComparison.Ordinal) ? "authorisation_timed_out"
            : said.Contains("AC04", StringComparison.Ordinal) || said.Contains("AC06", StringComparison.Ordinal) ? "account_closed_or_blocked"
            : "rejected_by_bank";
    }

    private static readonly JsonSerializerOptions OmitNulls = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };
}
