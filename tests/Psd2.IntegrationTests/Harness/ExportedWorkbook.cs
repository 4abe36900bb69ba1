using System.Globalization;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using DocumentFormat.OpenXml.Validation;

namespace Psd2.IntegrationTests.Harness;

/// <summary>An exported .xlsx read back with the Open XML SDK: its sheets, each as a header row and rows of cells by header.</summary>
internal sealed class ExportedWorkbook : IDisposable
{
    private readonly SpreadsheetDocument _document;
    private readonly WorkbookPart _workbook;

    public ExportedWorkbook(byte[] bytes)
    {
        _document = SpreadsheetDocument.Open(new MemoryStream(bytes), isEditable: false);
        _workbook = _document.WorkbookPart ?? throw new InvalidOperationException("The package has no workbook part.");
    }

    public IReadOnlyList<string> SheetNames => _workbook.Workbook.Sheets!.Elements<Sheet>().Select(s => s.Name!.Value!).ToList();

    /// <summary>Where the Open XML schema is broken; empty for a well-formed workbook.</summary>
    public IReadOnlyList<string> ValidationErrors() =>
        new OpenXmlValidator().Validate(_document).Select(e => $"{e.Part?.Uri} {e.Path?.XPath}: {e.Description}").ToList();

    public Worksheet Worksheet(string name)
    {
        var sheet = _workbook.Workbook.Sheets!.Elements<Sheet>().Single(s => s.Name == name);
        return ((WorksheetPart)_workbook.GetPartById(sheet.Id!)).Worksheet;
    }

    /// <summary>The sheet's first row as headers, and every further row as its cells by header (empty cells absent).</summary>
    public (IReadOnlyList<string> Headers, IReadOnlyList<IReadOnlyDictionary<string, Cell>> Rows) Table(string name)
    {
        var rows = Worksheet(name).GetFirstChild<SheetData>()!.Elements<Row>().ToList();
        var headers = rows[0].Elements<Cell>().ToDictionary(c => Column(c), c => Text(c)!);
        var table = rows.Skip(1)
            .Select(r => (IReadOnlyDictionary<string, Cell>)r.Elements<Cell>().ToDictionary(c => headers[Column(c)], c => c))
            .ToList();
        return (headers.Values.ToList(), table);
    }

    public string? Text(Cell cell)
    {
        if (cell.DataType?.Value == CellValues.InlineString)
        {
            return cell.InlineString?.Text?.Text;
        }

        if (cell.DataType?.Value == CellValues.SharedString)
        {
            return _workbook.SharedStringTablePart!.SharedStringTable.Elements<SharedStringItem>().ElementAt(int.Parse(cell.CellValue!.Text, CultureInfo.InvariantCulture)).InnerText;
        }

        return cell.CellValue?.Text;
    }

    /// <summary>A numeric cell's value; fails for a cell stored as text.</summary>
    public static decimal Number(Cell cell)
    {
        Assert.True(cell.DataType is null || cell.DataType.Value == CellValues.Number, $"{cell.CellReference} is a {cell.DataType?.Value} cell, not a number");
        return decimal.Parse(cell.CellValue!.Text, NumberStyles.Float, CultureInfo.InvariantCulture);
    }

    /// <summary>The number format code of the cell's style (custom formats only; the export defines its own).</summary>
    public string? NumberFormat(Cell cell)
    {
        var styles = _workbook.WorkbookStylesPart!.Stylesheet;
        var format = styles.CellFormats!.Elements<CellFormat>().ElementAt((int)(cell.StyleIndex?.Value ?? 0));
        return styles.NumberingFormats?.Elements<NumberingFormat>().SingleOrDefault(f => f.NumberFormatId?.Value == format.NumberFormatId?.Value)?.FormatCode?.Value;
    }

    public void Dispose() => _document.Dispose();

    private static string Column(Cell cell) => new(cell.CellReference!.Value!.TakeWhile(char.IsLetter).ToArray());
}
