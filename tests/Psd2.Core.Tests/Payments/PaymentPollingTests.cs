using Psd2.Core.Payments;

namespace Psd2.Core.Tests.Payments;

public sealed class PaymentPollingTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 8, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void TheIntervalStartsAtTwoSecondsAndDoublesUpToFiveMinutes()
    {
        var payment = new Payment
        {
            IdempotencyKey = "k", RequestFingerprint = [], InstitutionId = "b", Product = PaymentProduct.SepaCreditTransfer, Flow = "redirect",
            PsuIpAddress = "192.0.2.1", DebtorIban = "x", CreditorName = "x", CreditorIban = "x", Currency = "EUR", Status = PaymentStatus.PendingAuthorisation,
        };
        var waits = new List<double>();
        for (var i = 0; i < 12; i++)
        {
            PaymentPolling.Schedule(payment, Now);
            waits.Add((payment.NextPollAt!.Value - Now).TotalSeconds);
        }

        Assert.Equal([2, 4, 8, 16, 32, 64, 128, 256, 300, 300, 300, 300], waits);
    }

    [Fact]
    public void ADeadlineIsADayOrTheDayAfterARequestedExecutionDate()
    {
        Assert.Equal(Now.AddDays(1), PaymentPolling.DeadlineOf(null, Now));
        // The end of the day after the execution date, when that is later than a day from now.
        Assert.Equal(new DateTimeOffset(2026, 12, 10, 0, 0, 0, TimeSpan.Zero), PaymentPolling.DeadlineOf(new DateOnly(2026, 12, 8), Now));
        Assert.Equal(new DateTimeOffset(2026, 12, 22, 0, 0, 0, TimeSpan.Zero), PaymentPolling.DeadlineOf(new DateOnly(2026, 12, 20), Now));
    }
}
