using System.Globalization;
using Psd2.SandboxBank.BerlinGroup;

namespace Psd2.SandboxBank.Accounts;

/// <summary>The query of a transaction list, read strictly: every malformed or unsupported parameter is a 400 that names it.</summary>
public sealed record TransactionQuery(string BookingStatus, DateOnly DateFrom, DateOnly DateTo, bool WithBalance, string? PageKey)
{
    public static TransactionQuery Parse(IQueryCollection query, DateOnly today)
    {
        foreach (var (name, values) in query)
        {
            if (values.Count > 1)
            {
                throw TppError.FormatError($"{name} is given more than once.", name).AsException();
            }
        }

        foreach (var unsupported in new[] { "deltaList", "entryReferenceFrom" })
        {
            if (query.ContainsKey(unsupported))
            {
                throw TppError.ParameterNotSupported($"{unsupported} is not supported; use dateFrom and dateTo.", unsupported).AsException();
            }
        }

        var bookingStatus = query["bookingStatus"].ToString();
        switch (bookingStatus)
        {
            case "booked" or "pending" or "both":
                break;
            case "information" or "all":
                throw TppError.ParameterNotSupported("Standing orders (information) are not offered.", "bookingStatus").AsException();
            case "":
                throw TppError.FormatError("bookingStatus is required: booked, pending or both.", "bookingStatus").AsException();
            default:
                throw TppError.FormatError("bookingStatus must be booked, pending or both.", "bookingStatus").AsException();
        }

        var withBalance = ParseWithBalance(query);

        var pageKey = query.TryGetValue("pageKey", out var key) ? key.ToString() : null;
        var dateFrom = Date(query, "dateFrom");
        if (dateFrom is null && bookingStatus != "pending" && pageKey is null)
        {
            throw TppError.FormatError("dateFrom is required for booked transactions.", "dateFrom").AsException();
        }

        var dateTo = Date(query, "dateTo") ?? today;
        var from = dateFrom ?? today;
        if (from > dateTo || from > today)
        {
            throw TppError.PeriodInvalid("dateFrom must not lie after dateTo or in the future.").AsException();
        }

        return new TransactionQuery(bookingStatus, from, dateTo > today ? today : dateTo, withBalance, pageKey);
    }

    /// <summary>The withBalance flag of any account read: absent, true or false.</summary>
    public static bool ParseWithBalance(IQueryCollection query) => query["withBalance"].ToString() switch
    {
        "" or "false" => false,
        "true" => true,
        _ => throw TppError.FormatError("withBalance must be true or false.", "withBalance").AsException(),
    };

    private static DateOnly? Date(IQueryCollection query, string name)
    {
        if (!query.TryGetValue(name, out var value))
        {
            return null;
        }

        return DateOnly.TryParseExact(value.ToString(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
            ? date
            : throw TppError.FormatError($"{name} must be an ISO date (YYYY-MM-DD).", name).AsException();
    }
}
