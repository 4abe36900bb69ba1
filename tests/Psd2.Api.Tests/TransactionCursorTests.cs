using Psd2.Api.Accounts;

namespace Psd2.Api.Tests;

/// <summary>The transactions' keyset cursor: it reads back only for the account and the filters it was issued for.</summary>
public sealed class TransactionCursorTests
{
    private static readonly TransactionFilter Filter = new(new DateOnly(2026, 1, 1), null, "booked", null, null, "rent");
    private static readonly Guid Account = Guid.NewGuid();

    [Fact]
    public void ACursorReadsBackItsPosition()
    {
        var id = Guid.NewGuid();
        var cursor = TransactionCursor.Write(Account, Filter, new DateOnly(2026, 3, 4), id);

        Assert.True(TransactionCursor.TryRead(cursor, Account, Filter, out var sortDate, out var readId));
        Assert.Equal(new DateOnly(2026, 3, 4), sortDate);
        Assert.Equal(id, readId);
    }

    [Fact]
    public void ACursorIsRefusedForAnotherAccountOrOtherFilters()
    {
        var cursor = TransactionCursor.Write(Account, Filter, new DateOnly(2026, 3, 4), Guid.NewGuid());

        Assert.False(TransactionCursor.TryRead(cursor, Guid.NewGuid(), Filter, out _, out _));
        Assert.False(TransactionCursor.TryRead(cursor, Account, Filter with { Text = "food" }, out _, out _));
    }

    [Fact]
    public void EveryAlteredCharacterIsRefused()
    {
        var cursor = TransactionCursor.Write(Account, Filter, new DateOnly(2026, 3, 4), Guid.NewGuid());

        // Every character of the alphabet and a few outside it, in every position: the last one included, where most
        // letters set bits beyond the data (Base64Url's decoder throws on those).
        foreach (var replacement in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_+/=.!")
        {
            for (var i = 0; i < cursor.Length; i++)
            {
                if (cursor[i] == replacement)
                {
                    continue;
                }

                var altered = cursor[..i] + replacement + cursor[(i + 1)..];
                Assert.False(TransactionCursor.TryRead(altered, Account, Filter, out _, out _), $"altered at {i}: {altered}");
            }
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("not a cursor")]
    [InlineData("====")]
    [InlineData("\u0000")]
    public void GarbageIsRefused(string cursor) => Assert.False(TransactionCursor.TryRead(cursor, Account, Filter, out _, out _));
}
