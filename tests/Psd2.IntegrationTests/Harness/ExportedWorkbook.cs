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
            .Select(r => (IReadOnlyDictionary<string, Cell>)r.Elements<Cell>().Where(c => c.CellValue is not null || c.InlineString is not null)
                .ToDictionary(c => headers[Column(c)], c => c))
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

    /// <summary>Whether the cell's style has a bold font.</summary>
    public bool Bold(Cell cell)
    {
        var styles = _workbook.WorkbookStylesPart!.Stylesheet;
        var format = styles.CellFormats!.Elements<CellFormat>().ElementAt((int)(cell.StyleIndex?.Value ?? 0));
        var font = styles.Fonts!.Elements<Font>().ElementAt((int)(format.FontId?.Value ?? 0));
        return font.Bold is { } bold && (bold.Val is null || bold.Val.Value);
    }

    /// <summary>The number format code of the cell's style (custom formats only; the export defines its own).</summary>
    public string? NumberFormat(Cell cell)
    {
        var styles = _workbook.WorkbookStylesPart!.Stylesheet;
        var format = styles.CellFormats!.Elements<CellFormat>().ElementAt((int)(cell.StyleIndex?.Value ?? 0));
        return styles.NumberingFormats?.Elements<NumberingFormat>().SingleOrDefault(f => f.NumberFormatId?.Value == format.NumberFormatId?.Value)?.FormatCode?.Value;
    }

    /// <summary>
    /// Every row of the sheet as the Open XML SDK reads it: cells by column position, a string, a number (dates as their
    /// serial numbers) or null when empty, without trailing empty cells. The shape <see cref="ThirdPartyReadersAsync"/> returns.
    /// </summary>
    public IReadOnlyList<IReadOnlyList<object?>> Grid(string name) =>
        Worksheet(name).GetFirstChild<SheetData>()!.Elements<Row>().Select(row =>
        {
            var cells = new List<object?>();
            foreach (var cell in row.Elements<Cell>())
            {
                var index = ColumnIndex(Column(cell));
                while (cells.Count <= index)
                {
                    cells.Add(null);
                }

                cells[index] = cell.DataType is null || cell.DataType.Value == CellValues.Number
                    ? cell.CellValue is { } value ? decimal.Parse(value.Text, NumberStyles.Float, CultureInfo.InvariantCulture) : null
                    : Text(cell);
            }

            return Trimmed(cells);
        }).ToList();

    /// <summary>
    /// The workbook as two JavaScript readers read it (SheetJS and exceljs, tests/tools/read-xlsx.mjs): by reader, then
    /// by sheet, the rows in <see cref="Grid"/>'s shape. Fails when a reader cannot open the file.
    /// </summary>
    public static async Task<IReadOnlyDictionary<string, IReadOnlyDictionary<string, IReadOnlyList<IReadOnlyList<object?>>>>> ThirdPartyReadersAsync(byte[] bytes)
    {
        var path = Path.Combine(Path.GetTempPath(), $"psd2-export-{Guid.NewGuid():N}.xlsx");
        await File.WriteAllBytesAsync(path, bytes);
        try
        {
            var result = await NodeTool.RunAsync("read-xlsx.mjs", [path], Deadline.In(120));
            Assert.True(result.ExitCode == 0, $"read-xlsx.mjs exited {result.ExitCode}: {result.Stderr}");
            using var json = System.Text.Json.JsonDocument.Parse(result.Stdout);
            return json.RootElement.EnumerateObject().ToDictionary(
                reader => reader.Name,
                reader => (IReadOnlyDictionary<string, IReadOnlyList<IReadOnlyList<object?>>>)reader.Value.EnumerateObject().ToDictionary(
                    sheet => sheet.Name,
                    sheet => (IReadOnlyList<IReadOnlyList<object?>>)sheet.Value.EnumerateArray()
                        .Select(row => Trimmed(row.EnumerateArray().Select(cell => cell.ValueKind switch
                        {
                            System.Text.Json.JsonValueKind.Number => (object?)cell.GetDecimal(),
                            System.Text.Json.JsonValueKind.String => cell.GetString(),
                            System.Text.Json.JsonValueKind.Null => null,
                            _ => cell.GetRawText(),
                        }).ToList())).ToList()));
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>Whether two readings agree: the same strings, and numbers within a millionth of a day (dates with times).</summary>
    public static bool SameCell(object? expected, object? actual) => (expected, actual) switch
    {
        (decimal a, decimal b) => Math.Abs(a - b) < 0.000001m,
        _ => Equals(expected, actual),
    };

    public void Dispose() => _document.Dispose();

    private static IReadOnlyList<object?> Trimmed(List<object?> cells)
    {
        while (cells.Count > 0 && cells[^1] is null or "")
        {
            cells.RemoveAt(cells.Count - 1);
        }

        return cells;
    }

    private static int ColumnIndex(string letters) => letters.Aggregate(0, (index, letter) => (index * 26) + letter - 'A' + 1) - 1;

    private static string Column(Cell cell) => new(cell.CellReference!.Value!.TakeWhile(char.IsLetter).ToArray());
}
