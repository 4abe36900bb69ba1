namespace Psd2.Api;

/// <summary>
/// Free text a client sends (a user's reference, a webhook's description, a search text): checked at the edge, so
/// that what PostgreSQL cannot store (NUL) or a log or spreadsheet would misread never gets past the request.
/// </summary>
public static class TextInput
{
    /// <summary>
    /// Null when <paramref name="value"/> is acceptable (or absent); otherwise a <c>validation_failed</c> naming the
    /// field: more than <paramref name="maxLength"/> characters, a control character (U+0000 to U+001F, U+007F to
    /// U+009F: NUL, tab and line breaks included), or half of a surrogate pair.
    /// </summary>
    public static ApiError? Check(string field, string? value, int maxLength)
    {
        if (value is null)
        {
            return null;
        }

        if (value.Length > maxLength)
        {
            return ApiError.Invalid(field, $"At most {maxLength} characters.");
        }

        return IsPrintable(value) ? null : ApiError.Invalid(field, "Control characters (such as NUL, tab or a line break) are not accepted.");
    }

    private static bool IsPrintable(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            if (char.IsSurrogatePair(value, i))
            {
                i++;
            }
            else if (char.IsControl(value[i]) || char.IsSurrogate(value[i]))
            {
                return false;
            }
        }

        return true;
    }
}
