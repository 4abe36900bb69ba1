using System.Globalization;
using System.Text;

namespace Psd2.Api;

/// <summary>Keyset cursor: the last row's (created_at, id), opaque to clients.</summary>
public static class CreatedCursor
{
    public static string Write(DateTimeOffset createdAt, Guid id) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{createdAt.UtcTicks}:{id:N}")));

    public static bool TryRead(string cursor, out DateTimeOffset createdAt, out Guid id)
    {
        createdAt = default;
        id = default;
        try
        {
            var parts = Encoding.UTF8.GetString(Convert.FromBase64String(cursor)).Split(':');
            if (parts.Length == 2 && long.TryParse(parts[0], CultureInfo.InvariantCulture, out var ticks) && ticks is > 0 and < 3_155_378_975_999_999_999
                && Guid.TryParseExact(parts[1], "N", out id))
            {
                createdAt = new DateTimeOffset(ticks, TimeSpan.Zero);
                return true;
            }
        }
        catch (FormatException)
        {
        }

        return false;
    }
}
