using System.Buffers.Binary;
using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Psd2.SandboxBank.Accounts;

/// <summary>Where the next page of a transaction list starts, bound to the query and the bank day it was issued on.</summary>
/// <param name="TotalPages">The list's page count where the dialect states one (UK Open Banking's Meta.TotalPages), counted once for the first page; else 0.</param>
public sealed record PageCursor(
    string ConsentId, string ResourceId, string BookingStatus, DateOnly DateFrom, DateOnly DateTo,
    DateOnly NextDay, int Offset, int Page, DateOnly IssuedOn, int TotalPages = 0);

/// <summary>
/// Opaque, MAC-protected page keys for _links.next: a TPP cannot forge one to read a later page without it counting
/// as a read, nor reuse one on another consent, account or query. Keys die with the bank day and with a restart.
/// </summary>
public sealed class PageKeys
{
    private const int MacBytes = 16;
    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);

    public string Protect(PageCursor cursor)
    {
        var payload = Encoding.UTF8.GetBytes(string.Join('|',
            cursor.ConsentId, cursor.ResourceId, cursor.BookingStatus, Day(cursor.DateFrom), Day(cursor.DateTo), Day(cursor.NextDay),
            cursor.Offset.ToString(CultureInfo.InvariantCulture), cursor.Page.ToString(CultureInfo.InvariantCulture), Day(cursor.IssuedOn),
            cursor.TotalPages.ToString(CultureInfo.InvariantCulture)));
        return Base64Url.EncodeToString(payload) + "." + Base64Url.EncodeToString(HMACSHA256.HashData(_key, payload).AsSpan(0, MacBytes));
    }

    public PageCursor? Unprotect(string key)
    {
        if (key.Length > 1024 || key.Split('.') is not [var body, var mac])
        {
            return null;
        }

        var payload = FromBase64Url(body);
        var givenMac = FromBase64Url(mac);
        if (payload is null || givenMac is null || givenMac.Length != MacBytes
            || !CryptographicOperations.FixedTimeEquals(HMACSHA256.HashData(_key, payload).AsSpan(0, MacBytes), givenMac))
        {
            return null;
        }

        var parts = Encoding.UTF8.GetString(payload).Split('|');
        return new PageCursor(parts[0], parts[1], parts[2], ParseDay(parts[3]), ParseDay(parts[4]), ParseDay(parts[5]),
            int.Parse(parts[6], CultureInfo.InvariantCulture), int.Parse(parts[7], CultureInfo.InvariantCulture), ParseDay(parts[8]),
            int.Parse(parts[9], CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// A short key, for links whose length is limited (STET's GenericLink.href: 140 characters): the consent and the
    /// account are bound by the MAC instead of carried, the days are carried as distances from the day of issue, and
    /// the list is of every entry ("both"). Checked with <see cref="UnprotectShort"/> for the same consent and account.
    /// </summary>
    public string ProtectShort(PageCursor cursor)
    {
        var payload = new byte[ShortPayloadBytes];
        BinaryPrimitives.WriteInt32BigEndian(payload, cursor.IssuedOn.DayNumber);
        BinaryPrimitives.WriteUInt16BigEndian(payload.AsSpan(4), checked((ushort)(cursor.IssuedOn.DayNumber - cursor.DateFrom.DayNumber)));
        BinaryPrimitives.WriteUInt16BigEndian(payload.AsSpan(6), checked((ushort)(cursor.IssuedOn.DayNumber - cursor.DateTo.DayNumber)));
        BinaryPrimitives.WriteUInt16BigEndian(payload.AsSpan(8), checked((ushort)(cursor.IssuedOn.DayNumber - cursor.NextDay.DayNumber)));
        BinaryPrimitives.WriteUInt16BigEndian(payload.AsSpan(10), checked((ushort)cursor.Offset));
        BinaryPrimitives.WriteUInt16BigEndian(payload.AsSpan(12), checked((ushort)cursor.Page));
        return Base64Url.EncodeToString([.. payload, .. ShortMac(cursor.ConsentId, cursor.ResourceId, payload)]);
    }

    public PageCursor? UnprotectShort(string key, string consentId, string resourceId)
    {
        var bytes = key.Length <= 64 ? FromBase64Url(key) : null;
        if (bytes is null || bytes.Length != ShortPayloadBytes + ShortMacBytes
            || !CryptographicOperations.FixedTimeEquals(ShortMac(consentId, resourceId, bytes.AsSpan(0, ShortPayloadBytes)), bytes.AsSpan(ShortPayloadBytes)))
        {
            return null;
        }

        var issuedOn = DateOnly.FromDayNumber(BinaryPrimitives.ReadInt32BigEndian(bytes));
        DateOnly Before(int at) => issuedOn.AddDays(-BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(at)));
        return new PageCursor(consentId, resourceId, "both", Before(4), Before(6), Before(8),
            BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(10)), BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(12)), issuedOn);
    }

    private const int ShortPayloadBytes = 14;
    private const int ShortMacBytes = 10;

    private byte[] ShortMac(string consentId, string resourceId, ReadOnlySpan<byte> payload)
    {
        byte[] signed = [.. Encoding.UTF8.GetBytes($"short|{consentId}|{resourceId}|"), .. payload];
        return HMACSHA256.HashData(_key, signed)[..ShortMacBytes];
    }

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static DateOnly ParseDay(string text) => DateOnly.ParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static byte[]? FromBase64Url(string text)
    {
        try
        {
            return Base64Url.DecodeFromChars(text);
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
