using Psd2.SandboxBank.Data;

namespace Psd2.SandboxBank.Tests.Data;

public sealed class PersonalNumberTests
{
    [Theory]
    [InlineData("191212121212")]
    [InlineData("198112289874")]
    [InlineData("200002292381")]
    [InlineData(SyntheticBank.LargePsu)]
    [InlineData(SyntheticBank.ApprovingPsu)]
    [InlineData(SyntheticBank.CancellingPsu)]
    [InlineData(SyntheticBank.TimingOutPsu)]
    [InlineData(SyntheticBank.ManualPsu)]
    public void NumbersWithARealBirthDateAndLuhnCheckDigitAreValid(string value) => Assert.True(PersonalNumber.IsValid(value));

    [Theory]
    [InlineData("191212121213")]
    [InlineData("19121212121")]
    [InlineData("1912121212120")]
    [InlineData("19121212-1212")]
    [InlineData("121212121212x")]
    [InlineData("199002301233")]
    [InlineData("199013011235")]
    [InlineData("")]
    [InlineData(null)]
    public void NumbersWithABadCheckDigitDateOrShapeAreInvalid(string? value) => Assert.False(PersonalNumber.IsValid(value));

    [Fact]
    public void TheCheckDigitCoversOnlyTheLastTenDigits()
    {
        // Same YYMMDDNNNC in another century: the check digit does not see the century.
        Assert.True(PersonalNumber.IsValid("201212121212"));
    }
}
