using Psd2.Core.Payments;

namespace Psd2.Core.Tests.Payments;

public sealed class IbansTests
{
    [Theory]
    [InlineData("SE45 5000 0000 0583 9825 7466", "SE4550000000058398257466")]
    [InlineData("fr1420041010050500013m02606", "FR1420041010050500013M02606")]
    [InlineData("GB29NWBK60161331926819", "GB29NWBK60161331926819")]
    [InlineData("DE89370400440532013000", "DE89370400440532013000")]
    public void AValidIbanIsNormalised(string given, string expected) => Assert.Equal(expected, Ibans.Normalise(given));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("SE4550000000058398257467")]
    [InlineData("GB29NWBK6016133192681")]
    [InlineData("1234567890123456")]
    [InlineData("SE45-5000-0000-0583-9825-7466")]
    public void AnythingElseIsNot(string? given) => Assert.Null(Ibans.Normalise(given));
}
