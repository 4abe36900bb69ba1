using Psd2.SandboxBank.BerlinGroup;
using Psd2.SandboxBank.Data;

namespace Psd2.SandboxBank.Accounts;

/// <summary>Booked transactions newest day first, a page at a time, resuming exactly where the previous page stopped.</summary>
public static class TransactionPager
{
    public static (IReadOnlyList<TransactionDetails> Page, PageCursor? Next) Page(TransactionGenerator generator, AccountSeed account, PageCursor cursor, int pageSize)
    {
        var floor = cursor.DateFrom > account.OpenedOn ? cursor.DateFrom : account.OpenedOn;
        var page = new List<TransactionDetails>(pageSize);
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

                page.Add(AccountViews.Transaction(booked[i]));
            }
        }

        return (page, null);
    }
}
