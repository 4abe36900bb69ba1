using Psd2.SandboxBank.Data;

namespace Psd2.SandboxBank.Accounts;

/// <summary>
/// Booked transactions newest day first, a page at a time, resuming exactly where the previous page stopped; each
/// dialect presents them in its own shape.
/// </summary>
public static class TransactionPager
{
    public static (IReadOnlyList<T> Page, PageCursor? Next) Page<T>(
        TransactionGenerator generator, AccountSeed account, PageCursor cursor, int pageSize, Func<BankTransaction, T> present)
    {
        var floor = Floor(account, cursor);
        var page = new List<T>(pageSize);
        var day = cursor.NextDay;
        var offset = cursor.Offset;
        for (; day >= floor; day = day.AddDays(-1), offset = 0)
        {
            var booked = generator.BookedOn(account, day);
            for (var i = offset; i < booked.Count; i++)
            {
                if (page.Count == pageSize)
                {
                    return (page, cursor with { NextDay = day, Offset = i, Page = cursor.Page + 1 });
                }

                page.Add(present(booked[i]));
            }
        }

        return (page, null);
    }

    /// <summary>How many pages the whole list has, counted without building the transactions; at least one.</summary>
    public static int PageCount(TransactionGenerator generator, AccountSeed account, PageCursor cursor, int pageSize)
    {
        var count = 0L;
        for (var day = cursor.DateTo; day >= Floor(account, cursor); day = day.AddDays(-1))
        {
            count += generator.BookedCountOn(account, day);
        }

        return (int)Math.Max(1, (count + pageSize - 1) / pageSize);
    }

    private static DateOnly Floor(AccountSeed account, PageCursor cursor) => cursor.DateFrom > account.OpenedOn ? cursor.DateFrom : account.OpenedOn;
}
