using System.Text;
using System.Xml;

namespace Psd2.Api.Exports;

/// <summary>Text as a spreadsheet cell can hold it.</summary>
public static class CellText
{
    /// <summary>Excel's limit on the characters of one cell.</summary>
    public const int MaxLength = 32_767;

    /// <summary>Bank texts may hold characters XML cannot carry (control characters); they are left out, and a cell holds at most 32,767.</summary>
    public static string? Printable(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        var clean = IsXml(value) ? value : Strip(value);
        return clean.Length <= MaxLength ? clean : clean[..(char.IsHighSurrogate(clean[MaxLength - 1]) ? MaxLength - 1 : MaxLength)];
    }

    private static bool IsXml(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            if (char.IsSurrogatePair(value, i))
            {
                i++;
            }
            else if (!XmlConvert.IsXmlChar(value[i]))
            {
                return false;
            }
        }

        return true;
    }

    private static string Strip(string value)
    {
        var builder = new StringBuilder(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            if (char.IsSurrogatePair(value, i))
            {
                builder.Append(value, i++, 2);
            }
            else if (XmlConvert.IsXmlChar(value[i]))
            {
                builder.Append(value[i]);
            }
        }

        return builder.ToString();
    }
}
