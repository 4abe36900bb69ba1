using System.Globalization;
using System.Text;
using Npgsql;
using Psd2.Core.Accounts;

namespace Psd2.Api.Accounts;

/// <summary>
/// The transaction filters the read API and the exports share: <c>dateFrom</c>, <c>dateTo</c> (on the booking date,
/// or the value date while pending), <c>status</c> (booked | pending), <c>minAmount</c>, <c>maxAmount</c> (signed)
/// and <c>text</c> (in the remittance text or the counterparty's name, case-insensitive).
/// </summary>
public sealed record TransactionFilter(DateOnly? DateFrom, DateOnly? DateTo, string? Status, decimal? MinAmount, decimal? MaxAmount, string? Text)
{
    public static (TransactionFilter? Filter, ApiError? Error) Parse(IQueryCollection query)
    {
        DateOnly? dateFrom = null, dateTo = null;
        decimal? min = null, max = null;
        if (!TryDate(query, "dateFrom", ref dateFrom) || !TryDate(query, "dateTo", ref dateTo))
        {
            return (null, ApiError.Invalid(query.ContainsKey("dateFrom") && dateFrom is null ? "dateFrom" : "dateTo", "A date as yyyy-MM-dd."));
        }

        if (!TryAmount(query, "minAmount", ref min) || !TryAmount(query, "maxAmount", ref max))
        {
            return (null, ApiError.Invalid(query.ContainsKey("minAmount") && min is null ? "minAmount" : "maxAmount", "A decimal amount such as -12.50."));
        }

        var status = query["status"].ToString() is { Length: > 0 } s ? s : null;
        if (status is not (null or TransactionStatus.Booked or TransactionStatus.Pending))
        {
            return (null, ApiError.Invalid("status", "booked or pending."));
        }

        var text = query["text"].ToString() is { Length: > 0 } t ? t : null;
        if (TextInput.Check("text", text, 100) is { } invalid)
        {
            return (null, invalid);
        }

        if (dateFrom > dateTo || min > max)
        {
            return (null, ApiError.Invalid(dateFrom > dateTo ? "dateFrom" : "minAmount", "The range is empty: its start lies after its end."));
        }

        return (new TransactionFilter(dateFrom, dateTo, status, min, max, text), null);
    }

    /// <summary>
    /// The filter as SQL conditions on <c>t</c> (a row of transactions), each after <c> AND </c>, its values added to
    /// <paramref name="parameters"/> as positional parameters.
    /// </summary>
    public string Conditions(List<NpgsqlParameter> parameters)
    {
        var sql = new StringBuilder();
        void Add(string condition, object value)
        {
            parameters.Add(new NpgsqlParameter { Value = value });
            sql.Append(" AND ").Append(condition.Replace("@", "$" + parameters.Count.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal));
        }

        if (DateFrom is { } from)
        {
            Add("t.sort_date >= @", from);
        }

        if (DateTo is { } to)
        {
            Add("t.sort_date <= @", to);
        }

        if (Status is { } status)
        {
            Add("t.status = @", status);
        }

        if (MinAmount is { } min)
        {
            Add("t.amount >= @", min);
        }

        if (MaxAmount is { } max)
        {
            Add("t.amount <= @", max);
        }

        if (Text is { } text)
        {
            // Matched as a substring: the searched %, _ and \ are escaped so that they match themselves.
            var pattern = "%" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal) + "%";
            Add("(coalesce(t.remittance, '') ILIKE @ ESCAPE '\\' OR coalesce(t.counterparty_name, '') ILIKE @ ESCAPE '\\')", pattern);
        }

        return sql.ToString();
    }

    /// <summary>A stable text form of the filter, for cache keys.</summary>
    public override string ToString() => string.Join('|', DateFrom?.ToString("O", CultureInfo.InvariantCulture), DateTo?.ToString("O", CultureInfo.InvariantCulture),
        Status, MinAmount?.ToString(CultureInfo.InvariantCulture), MaxAmount?.ToString(CultureInfo.InvariantCulture), Text);

    private static bool TryDate(IQueryCollection query, string name, ref DateOnly? value)
    {
        if (query[name].ToString() is not { Length: > 0 } text)
        {
            return true;
        }

        var ok = DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date);
        value = ok ? date : null;
        return ok;
    }

    private static bool TryAmount(IQueryCollection query, string name, ref decimal? value)
    {
        if (query[name].ToString() is not { Length: > 0 } text)
        {
            return true;
        }

        var ok = decimal.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount);
        value = ok ? amount : null;
        return ok;
    }
}
