using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Psd2.Api.Accounts;

/// <summary>
/// Keyset cursor over transactions in (sort_date desc, id desc): the last item's sort date and id, opaque to
/// clients, with a checksum over them, the account and the filters. An edited cursor, or one used on another account
/// or with other filters, is refused. A checksum and not a keyed MAC: a forged cursor could only position the caller
/// inside a list it may read anyway.
/// </summary>
public static class TransactionCursor
{
    private const int PayloadSize = 4 + 16;
    private const int ChecksumSize = 8;

    public static string Write(Guid accountId, TransactionFilter filter, DateOnly sortDate, Guid id)
    {
        Span<byte> cursor = stackalloc byte[PayloadSize + ChecksumSize];
        BinaryPrimitives.WriteInt32BigEndian(cursor, sortDate.DayNumber);
        id.TryWriteBytes(cursor[4..PayloadSize], bigEndian: true, out _);
        Checksum(accountId, filter, cursor[..PayloadSize], cursor[PayloadSize..]);
        return Base64Url.EncodeToString(cursor);
    }

    public static bool TryRead(string cursor, Guid accountId, TransactionFilter filter, out DateOnly sortDate, out Guid id)
    {
        sortDate = default;
        id = default;
        Span<byte> bytes = stackalloc byte[PayloadSize + ChecksumSize];
        Span<byte> expected = stackalloc byte[ChecksumSize];
        if (cursor.Length != Base64Url.GetEncodedLength(bytes.Length) || !TryDecode(cursor, bytes))
        {
            return false;
        }

        Checksum(accountId, filter, bytes[..PayloadSize], expected);
        var day = BinaryPrimitives.ReadInt32BigEndian(bytes);
        if (!CryptographicOperations.FixedTimeEquals(expected, bytes[PayloadSize..])
            || day < DateOnly.MinValue.DayNumber || day > DateOnly.MaxValue.DayNumber)
        {
            return false;
        }

        sortDate = DateOnly.FromDayNumber(day);
        id = new Guid(bytes[4..PayloadSize], bigEndian: true);
        return true;
    }

    // Base64Url's Try method returns false only for a short destination: a character outside the alphabet, or a last
    // character with bits set beyond the data, throws.
    private static bool TryDecode(string cursor, Span<byte> bytes)
    {
        try
        {
            return Base64Url.TryDecodeFromChars(cursor, bytes, out var written) && written == bytes.Length;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static void Checksum(Guid accountId, TransactionFilter filter, ReadOnlySpan<byte> payload, Span<byte> checksum)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(accountId.ToByteArray());
        hash.AppendData(Encoding.UTF8.GetBytes(filter.ToString()));
        hash.AppendData(payload);
        Span<byte> digest = stackalloc byte[32];
        hash.GetHashAndReset(digest);
        digest[..ChecksumSize].CopyTo(checksum);
    }
}
