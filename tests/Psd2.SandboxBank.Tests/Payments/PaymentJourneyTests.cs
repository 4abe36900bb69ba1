using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;

namespace Psd2.SandboxBank.Tests.Payments;

/// <summary>Payments from initiation to their final status, through the BankID pages or the PSU's BankID app, and on the account.</summary>
[Collection(BerlinGroupBankCollection.Name)]
public sealed class PaymentJourneyTests(BerlinGroupBank bank) : IDisposable
{
    private readonly PaymentTpp _tpp = new(bank, bank.Tpp);

    [Fact]
    public async Task RedirectPaymentIsExecutedAndBookedAsADebitOfTheAccount()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var ct = timeout.Token;
        var psu = await bank.CreatePsuAsync(ct);
        var access = await _tpp.AccountAccessAsync(psu.PersonalNumber, ct);
        var balancesPath = $"/v1/accounts/{psu.AccountId}/balances";
        var before = Balance(await _tpp.ReadAccountAsync(balancesPath, "/v1/accounts/{account-id}/balances", access, ct), "interimAvailable");

        var created = await _tpp.InitiateAsync(PaymentTpp.PaymentBody(psu, "125.50"), PaymentTpp.ScaHeaders(), ct);
        Assert.Equal(HttpStatusCode.Created, created.Status);
        Assert.Equal("RCVD", created.Body!["transactionStatus"]!.GetValue<string>());
        Assert.Equal("REDIRECT", created.ScaApproach);
        var paymentId = created.PaymentId;
        Assert.Equal($"/v1/payments/sepa-credit-transfers/{paymentId}", created.Location);
        var links = created.Body["_links"]!;
        Assert.EndsWith("/.well-known/oauth-authorization-server", links["scaOAuth"]!["href"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(created.Location, links["self"]!["href"]!.GetValue<string>());

        var (page, callback, verifier) = await _tpp.AuthoriseInBrowserAsync(paymentId, psu.PersonalNumber, "approve", ct);
        Assert.Contains("125.50 " + psu.Currency, page, StringComparison.Ordinal);
        Assert.Contains("Anna Berg Consulting", page, StringComparison.Ordinal);
        Assert.Contains(PaymentTpp.CreditorIban, page, StringComparison.Ordinal);
        Assert.StartsWith(PaymentTpp.RedirectUri + "?code=", callback.ToString(), StringComparison.Ordinal);
        Assert.Contains("state=state-" + paymentId, callback.Query, StringComparison.Ordinal);

        // The payment did not wait for the code's redemption; the code still gives a token for the payment.
        var status = await _tpp.WaitForStatusAsync(paymentId, ct);
        Assert.Equal("ACSC", status["transactionStatus"]!.GetValue<string>());
        using (var token = await _tpp.TokenAsync(new()
        {
            ["grant_type"] = "authorization_code",
            ["code"] = System.Web.HttpUtility.ParseQueryString(callback.Query)["code"]!,
            ["redirect_uri"] = PaymentTpp.RedirectUri,
            ["code_verifier"] = verifier,
        }, ct))
        {
            Assert.Equal(HttpStatusCode.OK, token.StatusCode);
            var body = JsonNode.Parse(await token.Content.ReadAsStringAsync(ct))!;
            Assert.Equal("PIS:" + paymentId, body["scope"]!.GetValue<string>());
            Assert.Null(body["refresh_token"]);
        }

        var (got, payment) = await _tpp.GetAsync($"/v1/payments/sepa-credit-transfers/{paymentId}", PaymentTpp.PaymentPath, ct);
        Assert.Equal(HttpStatusCode.OK, got);
        Assert.Equal("ACSC", payment!["transactionStatus"]!.GetValue<string>());
        Assert.Equal("125.50", payment["instructedAmount"]!["amount"]!.GetValue<string>());
        Assert.Equal(psu.Iban, payment["debtorAccount"]!["iban"]!.GetValue<string>());

        var (listed, authorisations) = await _tpp.GetAsync($"/v1/payments/sepa-credit-transfers/{paymentId}/authorisations", PaymentTpp.AuthorisationsPath, ct);
        Assert.Equal(HttpStatusCode.OK, listed);
        var authorisationId = Assert.Single(authorisations!["authorisationIds"]!.AsArray())!.GetValue<string>();
        var (_, sca) = await _tpp.GetAsync($"/v1/payments/sepa-credit-transfers/{paymentId}/authorisations/{authorisationId}", PaymentTpp.ScaStatusPath, ct);
        Assert.Equal("finalised", sca!["scaStatus"]!.GetValue<string>());

        // AIS ground truth: the newest booked entry of today, money out to the creditor, and the balance lower by as much.
        var today = (await bank.TodayAsync(ct)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var (read, transactions) = await _tpp.ReadAccountAsync(
            $"/v1/accounts/{psu.AccountId}/transactions?bookingStatus=booked&dateFrom={today}", "/v1/accounts/{account-id}/transactions", access, ct);
        Assert.Equal(HttpStatusCode.OK, read);
        var debit = transactions!["transactions"]!["booked"]!.AsArray()[0]!;
        Assert.Equal("-125.50", debit["transactionAmount"]!["amount"]!.GetValue<string>());
        Assert.Equal("Anna Berg Consulting", debit["creditorName"]!.GetValue<string>());
        Assert.Equal(PaymentTpp.CreditorIban, debit["creditorAccount"]!["iban"]!.GetValue<string>());
        Assert.Equal("Invoice 4711", debit["remittanceInformationUnstructured"]!.GetValue<string>());
        var after = Balance(await _tpp.ReadAccountAsync(balancesPath, "/v1/accounts/{account-id}/balances", access, ct), "interimAvailable");
        Assert.Equal(before - 125.50m, after);

        await _tpp.AssertRecordedMatchSpecAsync(ct);
    }

    [Fact]
    public async Task RefusedRedirectPaymentIsCancelled()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var psu = await bank.CreatePsuAsync(timeout.Token);
        var created = await _tpp.InitiateAsync(PaymentTpp.PaymentBody(psu, "10.00"), PaymentTpp.ScaHeaders(), timeout.Token);
        var (started, authorisation) = await _tpp.SendAsync(
            HttpMethod.Post, $"/v1/payments/sepa-credit-transfers/{created.PaymentId}/authorisations", PaymentTpp.AuthorisationsPath, timeout.Token);
        Assert.Equal(HttpStatusCode.Created, started);
        Assert.Equal("received", authorisation!["scaStatus"]!.GetValue<string>());

        var (_, callback, _) = await _tpp.AuthoriseInBrowserAsync(created.PaymentId, psu.PersonalNumber, "deny", timeout.Token);

        Assert.Contains("error=access_denied", callback.Query, StringComparison.Ordinal);
        Assert.Equal("CANC", (await _tpp.WaitForStatusAsync(created.PaymentId, timeout.Token))["transactionStatus"]!.GetValue<string>());
        await _tpp.AssertRecordedMatchSpecAsync(timeout.Token);
    }

    [Fact]
    public async Task DecoupledPaymentApprovedInTheBankIdAppIsExecuted()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var ct = timeout.Token;
        var psu = await bank.CreatePsuAsync(ct);

        var created = await _tpp.InitiateAsync(PaymentTpp.PaymentBody(psu, "42.00"), PaymentTpp.ScaHeaders(psu.PersonalNumber), ct);

        Assert.Equal(HttpStatusCode.Created, created.Status);
        Assert.Equal("DECOUPLED", created.ScaApproach);
        Assert.Equal("started", created.Body!["scaStatus"]!.GetValue<string>());
        var scaStatus = created.Body["_links"]!["scaStatus"]!["href"]!.GetValue<string>();
        string current;
        do
        {
            await Task.Delay(TimeSpan.FromMilliseconds(1100), ct);
            var (status, sca) = await _tpp.GetAsync(scaStatus, PaymentTpp.ScaStatusPath, ct);
            Assert.Equal(HttpStatusCode.OK, status);
            current = sca!["scaStatus"]!.GetValue<string>();
        }
        while (current == "started");

        Assert.Equal("finalised", current);
        var final = await _tpp.WaitForStatusAsync(created.PaymentId, ct);
        Assert.Equal("ACSC", final["transactionStatus"]!.GetValue<string>());
        Assert.True(final["fundsAvailable"]!.GetValue<bool>());
        await _tpp.AssertRecordedMatchSpecAsync(ct);
    }

    [Fact]
    public async Task DecoupledPaymentThePsuCancelsIsCancelled()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var psu = await bank.CreatePsuAsync(timeout.Token, decoupled: "Cancel");

        var created = await _tpp.InitiateAsync(PaymentTpp.PaymentBody(psu, "42.00"), PaymentTpp.ScaHeaders(psu.PersonalNumber), timeout.Token);

        Assert.Equal("CANC", (await _tpp.WaitForStatusAsync(created.PaymentId, timeout.Token))["transactionStatus"]!.GetValue<string>());
    }

    [Fact]
    public async Task DecoupledPaymentNobodyAnswersIsRejectedAfterTheTimeout()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var psu = await bank.CreatePsuAsync(timeout.Token, decoupled: "Timeout");

        var created = await _tpp.InitiateAsync(PaymentTpp.PaymentBody(psu, "42.00"), PaymentTpp.ScaHeaders(psu.PersonalNumber), timeout.Token);

        var final = await _tpp.WaitForStatusAsync(created.PaymentId, timeout.Token);
        Assert.Equal("RJCT", final["transactionStatus"]!.GetValue<string>());
        Assert.Equal("NOAS", final["tppMessages"]![0]!["code"]!.GetValue<string>());
    }

    [Fact]
    public async Task PaymentBeyondTheAvailableBalanceIsRejectedForInsufficientFunds()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var ct = timeout.Token;
        var psu = await bank.CreatePsuAsync(ct);

        var created = await _tpp.InitiateAsync(PaymentTpp.PaymentBody(psu, "99999999.00"), PaymentTpp.ScaHeaders(psu.PersonalNumber), ct);

        var final = await _tpp.WaitForStatusAsync(created.PaymentId, ct);
        Assert.Equal("RJCT", final["transactionStatus"]!.GetValue<string>());
        Assert.False(final["fundsAvailable"]!.GetValue<bool>());
        Assert.Equal("AM04", final["tppMessages"]![0]!["code"]!.GetValue<string>());
        var (_, payment) = await _tpp.GetAsync($"/v1/payments/sepa-credit-transfers/{created.PaymentId}", PaymentTpp.PaymentPath, ct);
        Assert.Equal("RJCT", payment!["transactionStatus"]!.GetValue<string>());
        await _tpp.AssertRecordedMatchSpecAsync(ct);
    }

    [Fact]
    public async Task PaymentDatedAheadIsAcceptedUntilItsDayAndThenExecuted()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var ct = timeout.Token;
        var psu = await bank.CreatePsuAsync(ct);
        var today = await bank.TodayAsync(ct);
        var date = today.AddDays(2).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

        var created = await _tpp.InitiateAsync(PaymentTpp.PaymentBody(psu, "15.00", requestedExecutionDate: date), PaymentTpp.ScaHeaders(psu.PersonalNumber), ct);

        Assert.Equal("ACCP", (await _tpp.WaitForStatusAsync(created.PaymentId, ct))["transactionStatus"]!.GetValue<string>());
        var (_, payment) = await _tpp.GetAsync($"/v1/payments/sepa-credit-transfers/{created.PaymentId}", PaymentTpp.PaymentPath, ct);
        Assert.Equal(date, payment!["requestedExecutionDate"]!.GetValue<string>());
        var from = today.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        Assert.DoesNotContain(created.PaymentId, await BookedIdsAsync(psu, await _tpp.AccountAccessAsync(psu.PersonalNumber, ct), from, ct));

        await bank.AdvanceClockAsync(2, ct);

        Assert.Equal("ACSC", (await _tpp.WaitForStatusAsync(created.PaymentId, ct, until: "ACCP"))["transactionStatus"]!.GetValue<string>());
        // Tokens issued before the clock moved have expired: a new consent reads the account on the execution day.
        Assert.Equal(created.PaymentId, (await BookedIdsAsync(psu, await _tpp.AccountAccessAsync(psu.PersonalNumber, ct), from, ct))[0]);
        await _tpp.AssertRecordedMatchSpecAsync(ct);
    }

    [Fact]
    public async Task PaymentCancelledBeforeScaIsCancelledAndCannotBeCancelledAgain()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var ct = timeout.Token;
        var psu = await bank.CreatePsuAsync(ct);
        var created = await _tpp.InitiateAsync(PaymentTpp.PaymentBody(psu, "10.00"), PaymentTpp.ScaHeaders(), ct);
        var path = $"/v1/payments/sepa-credit-transfers/{created.PaymentId}";

        var (deleted, _) = await _tpp.SendAsync(HttpMethod.Delete, path, PaymentTpp.PaymentPath, ct);
        var (again, error) = await _tpp.SendAsync(HttpMethod.Delete, path, PaymentTpp.PaymentPath, ct);

        Assert.Equal(HttpStatusCode.NoContent, deleted);
        Assert.Equal("CANC", (await _tpp.WaitForStatusAsync(created.PaymentId, ct))["transactionStatus"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.MethodNotAllowed, again);
        Assert.Equal("CANCELLATION_INVALID", error!["tppMessages"]![0]!["code"]!.GetValue<string>());
        await _tpp.AssertRecordedMatchSpecAsync(ct);
    }

    [Fact]
    public async Task WithSkipPaymentScaThePaymentIsExecutedOnInitiation()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var ct = timeout.Token;
        var psu = await bank.CreatePsuAsync(ct);
        using var admin = bank.Admin();
        using (var on = await admin.PutAsync("/sandbox/profile", JsonContent("""{"skipPaymentSca": true}"""), ct))
        {
            Assert.Equal(HttpStatusCode.NoContent, on.StatusCode);
        }

        try
        {
            var created = await _tpp.InitiateAsync(PaymentTpp.PaymentBody(psu, "7.50"), PaymentTpp.ScaHeaders(), ct);

            Assert.Equal(HttpStatusCode.Created, created.Status);
            Assert.Equal("ACSC", created.Body!["transactionStatus"]!.GetValue<string>());
            Assert.Null(created.Body["_links"]!["scaOAuth"]);
            Assert.Null(created.ScaApproach);
            await _tpp.AssertRecordedMatchSpecAsync(ct);
        }
        finally
        {
            using var off = await admin.PutAsync("/sandbox/profile", JsonContent("""{"skipPaymentSca": false}"""), CancellationToken.None);
        }
    }

    public void Dispose() => _tpp.Dispose();

    /// <summary>The transaction ids booked from <paramref name="dateFrom"/> to the bank's today, newest first (the first page).</summary>
    private async Task<string[]> BookedIdsAsync(TestPsu psu, (string, string) access, string dateFrom, CancellationToken cancellationToken)
    {
        var (status, body) = await _tpp.ReadAccountAsync(
            $"/v1/accounts/{psu.AccountId}/transactions?bookingStatus=booked&dateFrom={dateFrom}", "/v1/accounts/{account-id}/transactions", access, cancellationToken);
        Assert.Equal(HttpStatusCode.OK, status);
        return [.. body!["transactions"]!["booked"]!.AsArray().Select(t => t!["transactionId"]!.GetValue<string>())];
    }

    private static decimal Balance(Answer answer, string type)
    {
        Assert.Equal(HttpStatusCode.OK, answer.Status);
        var balance = answer.Body!["balances"]!.AsArray().Single(b => b!["balanceType"]!.GetValue<string>() == type)!;
        return decimal.Parse(balance["balanceAmount"]!["amount"]!.GetValue<string>(), CultureInfo.InvariantCulture);
    }

    private static StringContent JsonContent(string json) => new(json, System.Text.Encoding.UTF8, "application/json");
}
