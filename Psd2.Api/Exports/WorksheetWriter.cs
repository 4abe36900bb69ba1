using System.Globalization;
using System.Text;
using System.Xml;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Spreadsheet;

namespace Psd2.Api.Exports;

/// <summary>
/// Writes one worksheet row by row with the Open XML SDK's SAX-style <see cref="OpenXmlWriter"/>: a frozen bold
/// header row, fixed column widths, typed cells (inline strings, so no shared-string table builds up in memory), and
/// an autofilter over the header and every row written. Nothing of a row is kept once it is written.
/// </summary>
public sealed class WorksheetWriter : IDisposable
{
    /// <summary>An Excel sheet's last row is 1,048,576; the header takes one.</summary>
    public const int MaxRows = 1_048_575;

    private const int MaxCellText = 32_767;

    private readonly Stream _part;
    private readonly OpenXmlWriter _writer;
    private readonly string[] _letters;
    private int _column;
    private string _rowNumber = "1";

    public WorksheetWriter(Stream part, IReadOnlyList<ExportColumn> columns)
    {
        _part = part;
        _writer = OpenXmlWriter.Create(part, Encoding.UTF8);
        _letters = columns.Select((_, i) => ColumnLetters(i)).ToArray();

        _writer.WriteStartElement(new Worksheet());
        _writer.WriteElement(new SheetViews(new SheetView(
            new Pane { VerticalSplit = 1, TopLeftCell = "A2", ActivePane = PaneValues.BottomLeft, State = PaneStateValues.Frozen },
            new Selection { Pane = PaneValues.BottomLeft, ActiveCell = "A2", SequenceOfReferences = new ListValue<StringValue> { InnerText = "A2" } })
        { WorkbookViewId = 0 }));
        _writer.WriteElement(new Columns(columns.Select((c, i) =>
            new Column { Min = (uint)i + 1, Max = (uint)i + 1, Width = c.Width, CustomWidth = true })));
        _writer.WriteStartElement(new SheetData());

        StartRow();
        foreach (var column in columns)
        {
            Text(column.Header, XlsxStyles.Header);
        }

        EndRow();
    }

    /// <summary>Data rows written so far, the header not counted.</summary>
    public int Rows { get; private set; } = -1;

    public void StartRow()
    {
        if (Rows == MaxRows)
        {
            throw new InvalidOperationException($"A worksheet holds at most {MaxRows} rows.");
        }

        var number = (uint)Rows + 2;
        _rowNumber = number.ToString(CultureInfo.InvariantCulture);
        _column = 0;
        _writer.WriteStartElement(new Row { RowIndex = number });
    }

    public void EndRow()
    {
        _writer.WriteEndElement();
        Rows++;
    }

    public void Text(string? value, uint style = 0)
    {
        if (string.IsNullOrEmpty(value))
        {
            Empty();
            return;
        }

        _writer.WriteElement(new Cell(new InlineString(new Text(Printable(value))))
        {
            CellReference = NextReference(), DataType = CellValues.InlineString, StyleIndex = Style(style),
        });
    }

    public void Amount(decimal value) =>
        _writer.WriteElement(new Cell(new CellValue(value)) { CellReference = NextReference(), StyleIndex = XlsxStyles.Amount });

    public void Date(DateOnly? value)
    {
        if (value is { } date)
        {
            _writer.WriteElement(new Cell(new CellValue(XlsxStyles.Serial(date))) { CellReference = NextReference(), StyleIndex = XlsxStyles.Date });
        }
        else
        {
            Empty();
        }
    }

    public void DateTime(DateTimeOffset? value)
    {
        if (value is { } time)
        {
            _writer.WriteElement(new Cell(new CellValue(XlsxStyles.Serial(time))) { CellReference = NextReference(), StyleIndex = XlsxStyles.DateTime });
        }
        else
        {
            Empty();
        }
    }

    /// <summary>Closes the sheet data and filters the header row's columns over every row written.</summary>
    public void Finish()
    {
        _writer.WriteEndElement();
        _writer.WriteElement(new AutoFilter { Reference = FilterRange });
        _writer.WriteEndElement();
    }

    /// <summary>The autofilter's range, e.g. <c>A1:L120</c>.</summary>
    public string FilterRange => string.Create(CultureInfo.InvariantCulture, $"A1:{_letters[^1]}{Rows + 1}");

    /// <summary>The range as the workbook's hidden _xlnm._FilterDatabase name refers to it, e.g. <c>Transactions!$A$1:$L$120</c>.</summary>
    public string FilterDatabase(string sheet) => string.Create(CultureInfo.InvariantCulture, $"{sheet}!$A$1:${_letters[^1]}${Rows + 1}");

    public void Dispose()
    {
        _writer.Dispose();
        _part.Dispose();
    }

    private void Empty() => _column++;

    private string NextReference() => _letters[_column++] + _rowNumber;

    private static UInt32Value? Style(uint style) => style == 0 ? null : style;

    /// <summary>Bank texts may hold characters XML cannot carry (control characters); they are left out, and a cell holds at most 32,767.</summary>
    private static string Printable(string value)
    {
        var clean = IsXml(value) ? value : Strip(value);
        return clean.Length <= MaxCellText ? clean : clean[..(char.IsHighSurrogate(clean[MaxCellText - 1]) ? MaxCellText - 1 : MaxCellText)];
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

    private static string ColumnLetters(int index) => index < 26 ? ((char)('A' + index)).ToString() : ColumnLetters((index / 26) - 1) + (char)('A' + (index % 26));
}
