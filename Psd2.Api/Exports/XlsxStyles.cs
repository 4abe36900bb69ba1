using DocumentFormat.OpenXml.Spreadsheet;

namespace Psd2.Api.Exports;

/// <summary>
/// The workbook's cell styles: a bold header, dates and UTC times as real Excel dates (serial numbers with a date
/// format, so they sort and filter as dates), and amounts as numbers with <c>#,##0.00</c> beside a currency column.
/// </summary>
public static class XlsxStyles
{
    public const uint Header = 1;
    public const uint Date = 2;
    public const uint DateTime = 3;
    public const uint Amount = 4;

    private const uint DateFormat = 164; // the first id of a custom number format
    private const uint DateTimeFormat = 165;
    private const uint AmountFormat = 166;

    /// <summary>Day 0 of Excel's 1900 date system, as Excel counts (it keeps Lotus 1-2-3's 29 February 1900).</summary>
    private static readonly DateOnly Epoch = new(1899, 12, 30);

    public static int Serial(DateOnly date) => date.DayNumber - Epoch.DayNumber;

    /// <summary>Days and the fraction of the day, to the second, in UTC.</summary>
    public static double Serial(DateTimeOffset time)
    {
        var utc = time.UtcDateTime;
        return Serial(DateOnly.FromDateTime(utc)) + Math.Round(utc.TimeOfDay.TotalSeconds) / 86_400;
    }

    public static Stylesheet Stylesheet() => new(
        new NumberingFormats(
            new NumberingFormat { NumberFormatId = DateFormat, FormatCode = "yyyy-mm-dd" },
            new NumberingFormat { NumberFormatId = DateTimeFormat, FormatCode = "yyyy-mm-dd hh:mm:ss" },
            new NumberingFormat { NumberFormatId = AmountFormat, FormatCode = "#,##0.00" }) { Count = 3 },
        new Fonts(Font(bold: false), Font(bold: true)) { Count = 2 },
        new Fills(
            new Fill(new PatternFill { PatternType = PatternValues.None }),
            new Fill(new PatternFill { PatternType = PatternValues.Gray125 })) { Count = 2 },
        new Borders(new Border(new LeftBorder(), new RightBorder(), new TopBorder(), new BottomBorder(), new DiagonalBorder())) { Count = 1 },
        new CellStyleFormats(new CellFormat { NumberFormatId = 0, FontId = 0, FillId = 0, BorderId = 0 }) { Count = 1 },
        new CellFormats(
            new CellFormat { NumberFormatId = 0, FontId = 0, FillId = 0, BorderId = 0, FormatId = 0 },
            new CellFormat { NumberFormatId = 0, FontId = 1, FillId = 0, BorderId = 0, FormatId = 0, ApplyFont = true },
            new CellFormat { NumberFormatId = DateFormat, FontId = 0, FillId = 0, BorderId = 0, FormatId = 0, ApplyNumberFormat = true },
            new CellFormat { NumberFormatId = DateTimeFormat, FontId = 0, FillId = 0, BorderId = 0, FormatId = 0, ApplyNumberFormat = true },
            new CellFormat { NumberFormatId = AmountFormat, FontId = 0, FillId = 0, BorderId = 0, FormatId = 0, ApplyNumberFormat = true }) { Count = 5 },
        new CellStyles(new CellStyle { Name = "Normal", FormatId = 0, BuiltinId = 0 }) { Count = 1 });

    private static Font Font(bool bold)
    {
        var font = new Font();
        if (bold)
        {
            font.Append(new Bold());
        }

        font.Append(new FontSize { Val = 11 }, new FontName { Val = "Calibri" });
        return font;
    }
}
