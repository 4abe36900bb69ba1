using System.Net;
using System.Text;

namespace Psd2.SandboxBank.Tests.Payments;

/// <summary>What a payment initiation or read is refused for, and how: status codes and codes as the spec has them.</summary>
[Collection(BerlinGroupBankCollection.Name)]
public sealed class PaymentRefusalTests(BerlinGroupBank bank) : IDisposable
{
    private readonly PaymentTpp _tpp = new(bank, bank.Tpp);

    [Fact]
    public async Task UnsignedPaymentIsRefusedEvenWhenTheProfileWaivesSignatures()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var psu = await bank.CreatePsuAsync(timeout.Token);

        var answer = await _tpp.InitiateAsync(PaymentTpp.PaymentBody(psu, "10.00"), PaymentTpp.ScaHeaders(), timeout.Token, sign: false);

        Assert.Equal(HttpStatusCode.Unauthorized, answer.Status);
        Assert.Equal("SIGNATURE_MISSING", answer.Code);
        await _tpp.AssertRecordedMatchSpecAsync(timeout.Token);
    }

    [Fact]
    public async Task PaymentWhoseBodyWasChangedAfterSigningIsRefused()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var psu = await bank.CreatePsuAsync(timeout.Token);

        var answer = await _tpp.InitiateAsync(PaymentTpp.PaymentBody(psu, "10.00"), PaymentTpp.ScaHeaders(), timeout.Token,
            tamper: request => request.Content = new StringContent(PaymentTpp.PaymentBody(psu, "9999.00"), Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.Unauthorized, answer.Status);
        Assert.Equal("SIGNATURE_INVALID", answer.Code);
    }

    [Fact]
    public async Task QwacWithoutPaymentInitiationRoleIsRefused()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var psu = await bank.CreatePsuAsync(timeout.Token);
        using var accountInformationOnly = new PaymentTpp(bank, bank.AccountInformationOnly);

        var answer = await accountInformationOnly.InitiateAsync(PaymentTpp.PaymentBody(psu, "10.00"), PaymentTpp.ScaHeaders(), timeout.Token);

        Assert.Equal(HttpStatusCode.Unauthorized, answer.Status);
        Assert.Equal("ROLE_INVALID", answer.Code);
        await accountInformationOnly.AssertRecordedMatchSpecAsync(timeout.Token);
    }

    [Fact]
    public async Task AnotherTppsPaymentIsUnknown()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var ct = timeout.Token;
        var psu = await bank.CreatePsuAsync(ct);
        var created = await _tpp.InitiateAsync(PaymentTpp.PaymentBody(psu, "10.00"), PaymentTpp.ScaHeaders(), ct);
        using var other = new PaymentTpp(bank, bank.OtherTpp);
        var path = $"/v1/payments/sepa-credit-transfers/{created.PaymentId}";

        var read = await other.GetAsync(path, PaymentTpp.PaymentPath, ct);
        var status = await other.GetAsync(path + "/status", PaymentTpp.StatusPath, ct);
        var cancel = await other.SendAsync(HttpMethod.Delete, path, PaymentTpp.PaymentPath, ct);

        Assert.All([read, status, cancel], answer =>
        {
            Assert.Equal(HttpStatusCode.Forbidden, answer.Status);
            Assert.Equal("RESOURCE_UNKNOWN", answer.Code);
        });
        Assert.Equal("RCVD", (await _tpp.WaitForStatusAsync(created.PaymentId, ct, until: "none"))["transactionStatus"]!.GetValue<string>());
        await other.AssertRecordedMatchSpecAsync(ct);
    }

    [Fact]
    public async Task UnknownProductIsNotFound()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var psu = await bank.CreatePsuAsync(timeout.Token);

        var answer = await _tpp.InitiateAsync(PaymentTpp.PaymentBody(psu, "10.00"), PaymentTpp.ScaHeaders(), timeout.Token, product: "target-2-payments");

        Assert.Equal(HttpStatusCode.NotFound, answer.Status);
        Assert.Equal("PRODUCT_UNKNOWN", answer.Code);
        await _tpp.AssertRecordedMatchSpecAsync(timeout.Token);
    }

    [Theory]
    [InlineData("""{"instructedAmount":{"currency":"SEK","amount":12.5}}""", "instructedAmount.amount")]
    [InlineData("{DEBTOR,\"instructedAmount\":{\"currency\":\"SEK\",\"amount\":\"12.505\"},CREDITOR}", "instructedAmount.amount")]
    [InlineData("{DEBTOR,\"instructedAmount\":{\"currency\":\"SEK\",\"amount\":\"-5.00\"},CREDITOR}", "instructedAmount.amount")]
    [InlineData("{DEBTOR,\"instructedAmount\":{\"currency\":\"USD\",\"amount\":\"5.00\"},CREDITOR}", "instructedAmount.currency")]
    [InlineData("{DEBTOR,\"instructedAmount\":{\"currency\":\"SEK\",\"amount\":\"5.00\"}}", "creditorAccount")]
    [InlineData("{\"instructedAmount\":{\"currency\":\"SEK\",\"amount\":\"5.00\"},CREDITOR}", "debtorAccount")]
    [InlineData("{DEBTOR,\"instructedAmount\":{\"currency\":\"SEK\",\"amount\":\"5.00\"},CREDITOR,\"requestedExecutionDate\":\"2001-01-01\"}", "requestedExecutionDate")]
    public async Task BodyThatIsNotAValidPaymentIsAFormatErrorNamingTheField(string template, string path)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var psu = await bank.CreatePsuAsync(timeout.Token);
        var body = template
            .Replace("DEBTOR", $"\"debtorAccount\":{{\"iban\":\"{psu.Iban}\"}}", StringComparison.Ordinal)
            .Replace("CREDITOR", $"\"creditorName\":\"Anna\",\"creditorAccount\":{{\"iban\":\"{PaymentTpp.CreditorIban}\"}}", StringComparison.Ordinal)
            .Replace("SEK", psu.Currency, StringComparison.Ordinal);

        var answer = await _tpp.InitiateAsync(body, PaymentTpp.ScaHeaders(), timeout.Token);

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Equal(path == "requestedExecutionDate" ? "EXECUTION_DATE_INVALID" : "FORMAT_ERROR", answer.Code);
        Assert.Equal(path, answer.Body!["tppMessages"]![0]!["path"]!.GetValue<string>());
        await _tpp.AssertRecordedMatchSpecAsync(timeout.Token);
    }

    [Fact]
    public async Task DebtorAccountOfAnotherBankIsUnknown()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var psu = await bank.CreatePsuAsync(timeout.Token);

        var answer = await _tpp.InitiateAsync(PaymentTpp.PaymentBody(psu with { Iban = "GB29NWBK60161331926819" }, "10.00"), PaymentTpp.ScaHeaders(), timeout.Token);

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Equal("RESOURCE_UNKNOWN", answer.Code);
        Assert.Equal("debtorAccount.iban", answer.Body!["tppMessages"]![0]!["path"]!.GetValue<string>());
    }

    [Fact]
    public async Task InitiationWithoutPsuIpAddressIsAFormatError()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var psu = await bank.CreatePsuAsync(timeout.Token);
        var headers = PaymentTpp.ScaHeaders();
        headers.Remove("PSU-IP-Address");

        var answer = await _tpp.InitiateAsync(PaymentTpp.PaymentBody(psu, "10.00"), headers, timeout.Token);

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Equal("PSU-IP-Address", answer.Body!["tppMessages"]![0]!["path"]!.GetValue<string>());
    }

    public void Dispose() => _tpp.Dispose();
}
