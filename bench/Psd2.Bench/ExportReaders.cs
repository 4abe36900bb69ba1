using System.Globalization;
using System.Text.Json;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using Psd2.IntegrationTests.Harness;

namespace Psd2.Bench;

/// <summary>
/// An exported workbook's Transactions sheet read by three independent readers: the Open XML SDK (streamed with its
/// <see cref="OpenXmlReader"/>), SheetJS and exceljs (tests/tools/read-xlsx.mjs); every cell of every row compared.
/// </summary>
public static class ExportReaders
{
    private const string Sheet = "Transactions";

    /// <returns>Null when the three agree on every cell; otherwise the first difference.</returns>
    public static async Task<string?> FirstDifferenceAsync(string file, CancellationToken cancellationToken)
    {
        var sdk = ReadWithSdk(file);
        var result = await NodeTool.RunAsync("read-xlsx.mjs", [file], cancellationToken);
        if (result.ExitCode != 0)
        {
            return $"read-xlsx.mjs exited {result.ExitCode}: {result.Stderr}";
        }

        using var json = JsonDocument.Parse(result.Stdout);
        foreach (var reader in json.RootElement.EnumerateObject())
        {
            var rows = reader.Value.GetProperty(Sheet).EnumerateArray().ToList();
            if (rows.Count != sdk.Count)
            {
                return $"{reader.Name} reads {rows.Count} rows, the Open XML SDK {sdk.Count}";
            }

            for (var i = 0; i < rows.Count; i++)
            {
                var cells = Trim(rows[i].EnumerateArray().Select(Value).ToList());
                if (cells.Count != sdk[i].Count || !cells.Zip(sdk[i]).All(pair => Same(pair.First, pair.Second)))
                {
                    return $"{reader.Name}, row {i + 1}: [{string.Join(", ", cells)}]; the Open XML SDK: [{string.Join(", ", sdk[i])}]";
                }
            }
        }

        return null;
    }

    /// <summary>Rows of cells by column position: a string (inline), a number (dates as serial numbers), or null.</summary>
    private static List<List<object?>> ReadWithSdk(string file)
    {
        using var document = SpreadsheetDocument.Open(file, isEditable: false);
        var workbook = document.WorkbookPart!;
        var id = workbook.Workbook.Sheets!.Elements<Sheet>().Single(s => s.Name == Sheet).Id!.Value!;
        using var reader = OpenXmlReader.Create(workbook.GetPartById(id));
        var rows = new List<List<object?>>();
        while (reader.Read())
        {
            if (reader.ElementType == typeof(Row) && reader.IsStartElement)
            {
                rows.Add([]);
            }
            else if (reader.ElementType == typeof(Cell) && reader.IsStartElement)
            {
                var cell = (Cell)reader.LoadCurrentElement()!;
                var row = rows[^1];
                var column = cell.CellReference!.Value!.TakeWhile(char.IsLetter).Aggregate(0, (index, letter) => (index * 26) + letter - 'A' + 1) - 1;
                while (row.Count <= column)
                {
                    row.Add(null);
                }

                row[column] = cell.DataType?.Value == CellValues.InlineString ? cell.InlineString?.Text?.Text
                    : cell.CellValue is { } value ? decimal.Parse(value.Text, NumberStyles.Float, CultureInfo.InvariantCulture) : null;
            }
        }

        return rows.Select(Trim).ToList();
    }

    private static object? Value(JsonElement cell) => cell.ValueKind switch
    {
        JsonValueKind.Number => cell.GetDecimal(),
        JsonValueKind.String => cell.GetString(),
        _ => null,
    };

    private static List<object?> Trim(List<object?> cells)
    {
        while (cells.Count > 0 && cells[^1] is null or "")
        {
            cells.RemoveAt(cells.Count - 1);
        }

        return cells;
    }

    private static bool Same(object? a, object? b) => a is decimal x && b is decimal y ? Math.Abs(x - y) < 0.000001m : Equals(a, b);
}
