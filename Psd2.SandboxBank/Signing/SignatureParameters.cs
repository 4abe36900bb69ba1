using System.Diagnostics.CodeAnalysis;

namespace Psd2.SandboxBank.Signing;

/// <summary>
/// The parameters of a draft-cavage-http-signatures-10 <c>Signature</c> header:
/// <c>keyId="...",algorithm="...",headers="...",signature="..."</c>.
/// </summary>
internal sealed record SignatureParameters(string KeyId, string Algorithm, IReadOnlyList<string> Headers, byte[] Signature)
{
    /// <summary>
    /// Far above a real header (a 4096-bit signature is 684 base64 characters, a CA name a few hundred), and low
    /// enough that parsing garbage stays cheap.
    /// </summary>
    public const int MaxLength = 8 * 1024;

    /// <summary>
    /// More names than the Berlin Group's six plus <c>(request-target)</c>; a cap, because every listed name adds a
    /// header value to the signing string and a long list of repeats would blow it up.
    /// </summary>
    public const int MaxHeaders = 32;

    /// <summary>Parses the header; on failure <paramref name="problem"/> says why, without echoing the input.</summary>
    public static bool TryParse(string value, [NotNullWhen(true)] out SignatureParameters? parameters, out string problem)
    {
        parameters = null;
        if (value.Length > MaxLength)
        {
            problem = "The Signature header is too long.";
            return false;
        }

        if (!TryReadParameters(value, out var values))
        {
            problem = "The Signature header is not a list of name=\"value\" parameters.";
            return false;
        }

        if (!values.TryGetValue("keyId", out var keyId) || keyId.Length == 0)
        {
            problem = "The Signature header has no keyId.";
            return false;
        }

        // draft-cavage lets the algorithm be derived from the key; the Berlin Group makes it mandatory.
        if (!values.TryGetValue("algorithm", out var algorithm) || algorithm.Length == 0)
        {
            problem = "The Signature header has no algorithm.";
            return false;
        }

        if (!values.TryGetValue("signature", out var encodedSignature) || !TryDecodeBase64(encodedSignature, out var signature))
        {
            problem = "The Signature header has no base64 signature.";
            return false;
        }

        // draft-cavage 2.1.3: without a headers parameter only the Date header is signed.
        var headerList = values.TryGetValue("headers", out var listed) ? listed : "date";
        var headers = headerList
            .Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries)
            .Select(name => name.ToLowerInvariant())
            .ToList();
        if (headers.Count == 0 || headers.Count > MaxHeaders || headers.Distinct(StringComparer.Ordinal).Count() != headers.Count)
        {
            problem = $"The Signature header's headers parameter must list between 1 and {MaxHeaders} distinct header names.";
            return false;
        }

        parameters = new SignatureParameters(keyId, algorithm, headers, signature);
        problem = "";
        return true;
    }

    internal static bool TryDecodeBase64(string encoded, out byte[] bytes)
    {
        var buffer = new byte[((encoded.Length + 3) / 4) * 3];
        if (encoded.Length > 0 && Convert.TryFromBase64String(encoded, buffer, out var written) && written > 0)
        {
            bytes = buffer[..written];
            return true;
        }

        bytes = [];
        return false;
    }

    // auth-param *( OWS "," OWS auth-param ) with auth-param = token OWS "=" OWS quoted-string. draft-cavage-10 defines
    // no escapes inside the quotes, so a value ends at the next quote. Names are matched case-insensitively and may
    // not repeat: two keyIds or two signatures would make it ambiguous which one was checked.
    private static bool TryReadParameters(string value, out Dictionary<string, string> values)
    {
        values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var position = SkipWhitespace(value, 0);
        while (position < value.Length)
        {
            var nameStart = position;
            while (position < value.Length && IsTokenCharacter(value[position]))
            {
                position++;
            }

            if (position == nameStart)
            {
                return false;
            }

            var name = value[nameStart..position];
            position = SkipWhitespace(value, position);
            if (position >= value.Length || value[position] != '=')
            {
                return false;
            }

            position = SkipWhitespace(value, position + 1);
            if (position >= value.Length || value[position] != '"')
            {
                return false;
            }

            var closingQuote = value.IndexOf('"', position + 1);
            if (closingQuote < 0 || !values.TryAdd(name, value[(position + 1)..closingQuote]))
            {
                return false;
            }

            position = SkipWhitespace(value, closingQuote + 1);
            if (position < value.Length)
            {
                if (value[position] != ',')
                {
                    return false;
                }

                // A comma promises another parameter; a trailing one means the header was cut short.
                position = SkipWhitespace(value, position + 1);
                if (position == value.Length)
                {
                    return false;
                }
            }
        }

        return values.Count > 0;
    }

    // Line breaks count as whitespace: the specification's own example spreads the header over several lines.
    private static int SkipWhitespace(string value, int position)
    {
        while (position < value.Length && value[position] is ' ' or '\t' or '\r' or '\n')
        {
            position++;
        }

        return position;
    }

    private static bool IsTokenCharacter(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.';
}
