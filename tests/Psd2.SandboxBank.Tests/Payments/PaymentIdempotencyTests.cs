using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Psd2.SandboxBank.Tests.Payments;

/// <summary>One X-Request-ID, one payment: repeats, twins sent at once, and an answer lost after the bank made the payment.</summary>
[Collection(BerlinGroupBankCollection.Name)]
public sealed class PaymentIdempotencyTests(BerlinGroupBank bank) : IDisposable
{
    private readonly PaymentTpp _tpp = new(bank, bank.Tpp);

    [Fact]
    public async Task RepeatedRequestIdWithTheSameBodyGetsTheFirstAnswerAndMakesNoSecondPayment()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var ct = timeout.Token;
        var psu = await bank.CreatePsuAsync(ct);
        var requestId = Guid.NewGuid().ToString();
        var body = PaymentTpp.PaymentBody(psu, "20.00");

        var first = await _tpp.InitiateAsync(body, PaymentTpp.ScaHeaders(), ct, requestId: requestId);
        var second = await _tpp.InitiateAsync(body, PaymentTpp.ScaHeaders(), ct, requestId: requestId);

        Assert.Equal(HttpStatusCode.Created, first.Status);
        Assert.Equal(HttpStatusCode.Created, second.Status);
        Assert.Equal(first.Body!.ToJsonString(), second.Body!.ToJsonString());
        Assert.Equal(first.Location, second.Location);
        Assert.Equal(first.ScaApproach, second.ScaApproach);
        Assert.Equal([first.PaymentId], await PaymentIdsAsync(psu.Iban, ct));
        await _tpp.AssertRecordedMatchSpecAsync(ct);
    }

    [Fact]
    public async Task EightConcurrentRequestsWithOneRequestIdMakeOnePayment()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var ct = timeout.Token;
        var psu = await bank.CreatePsuAsync(ct);
        var requestId = Guid.NewGuid().ToString();
        var body = PaymentTpp.PaymentBody(psu, "21.00");

        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => _tpp.InitiateAsync(body, PaymentTpp.ScaHeaders(), ct, requestId: requestId)));

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.Created, a.Status));
        Assert.Single(answers.Select(a => a.Body!.ToJsonString()).Distinct());
        Assert.Equal([answers[0].PaymentId], await PaymentIdsAsync(psu.Iban, ct));
    }

    [Fact]
    public async Task RequestIdReusedForAnotherBodyIsAFormatError()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var ct = timeout.Token;
        var psu = await bank.CreatePsuAsync(ct);
        var requestId = Guid.NewGuid().ToString();

        var first = await _tpp.InitiateAsync(PaymentTpp.PaymentBody(psu, "22.00"), PaymentTpp.ScaHeaders(), ct, requestId: requestId);
        var other = await _tpp.InitiateAsync(PaymentTpp.PaymentBody(psu, "23.00"), PaymentTpp.ScaHeaders(), ct, requestId: requestId);

        Assert.Equal(HttpStatusCode.Created, first.Status);
        Assert.Equal(HttpStatusCode.BadRequest, other.Status);
        Assert.Equal("FORMAT_ERROR", other.Code);
        Assert.Equal("X-Request-ID was already used for another request.", other.Body!["tppMessages"]![0]!["text"]!.GetValue<string>());
        Assert.Equal([first.PaymentId], await PaymentIdsAsync(psu.Iban, ct));
        await _tpp.AssertRecordedMatchSpecAsync(ct);
    }

    [Fact]
    public async Task PaymentMadeBeforeTheConnectionDroppedIsAnsweredToTheResentRequest()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var ct = timeout.Token;
        var psu = await bank.CreatePsuAsync(ct);
        var requestId = Guid.NewGuid().ToString();
        var body = PaymentTpp.PaymentBody(psu, "24.00");
        using var admin = bank.Admin();
        using (var fault = await admin.PutAsJsonAsync("/sandbox/faults/payments", new { acceptThenDropRate = 1.0 }, ct))
        {
            Assert.Equal(HttpStatusCode.NoContent, fault.StatusCode);
        }

        try
        {
            await Assert.ThrowsAsync<HttpRequestException>(() => _tpp.InitiateAsync(body, PaymentTpp.ScaHeaders(), ct, requestId: requestId));
        }
        finally
        {
            using var cleared = await admin.DeleteAsync("/sandbox/faults", CancellationToken.None);
        }

        var made = Assert.Single(await PaymentIdsAsync(psu.Iban, ct));
        var resent = await _tpp.InitiateAsync(body, PaymentTpp.ScaHeaders(), ct, requestId: requestId);
        Assert.Equal(HttpStatusCode.Created, resent.Status);
        Assert.Equal(made, resent.PaymentId);
        Assert.Equal("RCVD", resent.Body!["transactionStatus"]!.GetValue<string>());
    }

    public void Dispose() => _tpp.Dispose();

    /// <summary>The payments from <paramref name="debtorIban"/>, as the sandbox controls list them.</summary>
    private async Task<string[]> PaymentIdsAsync(string debtorIban, CancellationToken cancellationToken)
    {
        using var admin = bank.Admin();
        var payments = await admin.GetFromJsonAsync<JsonElement>($"/sandbox/payments?debtorIban={debtorIban}", cancellationToken);
        return [.. payments.EnumerateArray().Select(p => p.GetProperty("paymentId").GetString()!)];
    }
}
