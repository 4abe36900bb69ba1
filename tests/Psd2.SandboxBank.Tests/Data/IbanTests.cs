using Psd2.SandboxBank.Data;

namespace Psd2.SandboxBank.Tests.Data;

public sealed class IbanTests
{
    [Theory]
    [InlineData("SE4550000000058398257466")]
    [InlineData("FI2112345600000785")]
    [InlineData("DE89370400440532013000")]
    [InlineData("NL91ABNA0417164300")]
    [InlineData("GB29NWBK60161331926819")]
    [InlineData("NO9386011117947")]
    public void PublishedExampleIbansAreValid(string iban) => Assert.True(Iban.IsValid(iban));

    [Theory]
    [InlineData("SE4550000000058398257467")]
    [InlineData("SE5450000000058398257466")]
    [InlineData("SE455000000005839825746")]
    [InlineData("se4550000000058398257466")]
    [InlineData("SE45 5000 0000 0583 9825 7466")]
    [InlineData("FI211234560000078")]
    [InlineData("")]
    [InlineData(null)]
    public void AlteredOrMalformedIbansAreInvalid(string? iban) => Assert.False(Iban.IsValid(iban));

    [Fact]
    public void CreatePrefixesTheCheckDigitsOfThePublishedExample() =>
        Assert.Equal("SE4550000000058398257466", Iban.Create("SE", "50000000058398257466"));

    [Fact]
    public void CreateHandlesLettersInTheBban() =>
        Assert.Equal("NL91ABNA0417164300", Iban.Create("NL", "ABNA0417164300"));

    [Fact]
    public void CreateRefusesABbanOfTheWrongLengthForTheCountry() =>
        Assert.Throws<ArgumentException>(() => Iban.Create("SE", "5000000005839825746"));
}
