using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Psd2.Api.Accounts;

namespace Psd2.Api.Tests;

/// <summary>The transaction filters the read API and the exports share: what parses, and which field each refusal names.</summary>
public sealed class TransactionFilterTests
{
    [Fact]
    public void EveryFilterParsesIntoItsValue()
    {
        var (filter, error) = TransactionFilter.Parse(Query(("dateFrom", "2026-01-01"), ("dateTo", "2026-01-31"), ("status", "pending"),
            ("minAmount", "-12.50"), ("maxAmount", "100"), ("text", "Café")));

        Assert.Null(error);
        Assert.Equal(new TransactionFilter(new DateOnly(2026, 1, 1), new DateOnly(2026, 1, 31), "pending", -12.50m, 100m, "Café"), filter);
    }

    [Fact]
    public void NoFiltersIsTheEmptyFilter()
    {
        var (filter, error) = TransactionFilter.Parse(Query());

        Assert.Null(error);
        Assert.Equal(new TransactionFilter(null, null, null, null, null, null), filter);
    }

    [Theory]
    [InlineData("dateFrom", "2026-13-01", "dateFrom")]
    [InlineData("dateFrom", "01/02/2026", "dateFrom")]
    [InlineData("dateTo", "yesterday", "dateTo")]
    [InlineData("minAmount", "12,50", "minAmount")]
    [InlineData("maxAmount", "1e3", "maxAmount")]
    [InlineData("maxAmount", "NaN", "maxAmount")]
    [InlineData("status", "BOOKED", "status")]
    [InlineData("status", "cancelled", "status")]
    [InlineData("text", "a\u0000b", "text")]
    [InlineData("text", "line\nbreak", "text")]
    public void AMalformedValueIsAValidationErrorNamingItsField(string name, string value, string field)
    {
        var (filter, error) = TransactionFilter.Parse(Query((name, value)));

        Assert.Null(filter);
        Assert.Equal(400, error!.Status);
        Assert.Equal("validation_failed", error.Code);
        Assert.Equal(field, error.Field);
    }

    [Fact]
    public void TextLongerThan100CharactersIsRefused() =>
        Assert.Equal("text", TransactionFilter.Parse(Query(("text", new string('x', 101)))).Error!.Field);

    [Theory]
    [InlineData("dateFrom", "2026-02-01", "dateTo", "2026-01-01", "dateFrom")]
    [InlineData("minAmount", "10", "maxAmount", "-10", "minAmount")]
    public void AnEmptyRangeIsRefused(string fromName, string from, string toName, string to, string field) =>
        Assert.Equal(field, TransactionFilter.Parse(Query((fromName, from), (toName, to))).Error!.Field);

    private static QueryCollection Query(params (string Name, string Value)[] values) =>
        new(values.ToDictionary(v => v.Name, v => new StringValues(v.Value)));
}
