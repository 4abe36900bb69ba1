using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Xml;
using Psd2.IntegrationTests.Harness;

namespace Psd2.Bench;

/// <summary>
/// Scenario E: the large PSU's accounts synced once into psd2db through the platform's own api (a decoupled
/// connection and a user-present refresh), the api restarted so that it starts from a fresh process, then
/// <c>GET /v1/users/{id}/export</c> as .xlsx and as .csv, each first in the process and then three times warm,
/// each downloaded to the last byte while the api process's resident memory is watched.
/// </summary>
public static class ExportScenario
{
    public const double TargetGrowthMegabytes = 150;

    /// <summary>Warm exports of each format; the rows per second are judged on their median.</summary>
    private const int WarmRuns = 3;

    /// <summary>Rows per second a warm export reaches at least (the median of <see cref="WarmRuns"/>), per format.</summary>
    private static readonly Dictionary<string, double> TargetRowsPerSecond = new(StringComparer.Ordinal) { ["csv"] = 300_000, ["xlsx"] = 60_000 };

    private static readonly TimeSpan SyncTimeout = TimeSpan.FromMinutes(30);

    /// <returns>Whether every export answered 200 with as many transactions as the sync wrote.</returns>
    public static async Task<bool> RunAsync(TestApp app, string personalNumber, CancellationToken cancellationToken)
    {
        Console.WriteLine();
        Console.WriteLine("Scenario E: connecting the large PSU to the platform and syncing it through the api ...");
        using var platform = await PlatformApi.CreateAsync(app, cancellationToken);
        var connectionId = await platform.ConnectDecoupledAsync(personalNumber, cancellationToken);
        var clock = Stopwatch.StartNew();
        var run = await platform.SyncAsync(connectionId, SyncTimeout, cancellationToken);
        var synced = run.GetProperty("transactionsAdded").GetInt32();
        Program.Line("Sync", string.Create(CultureInfo.InvariantCulture,
            $"{run.GetProperty("status").GetString()}: {run.GetProperty("accountsSynced").GetInt32()} accounts, {synced:N0} transactions in {clock.Elapsed.TotalSeconds:0.0} s"));
        if (run.GetProperty("status").GetString() != "succeeded")
        {
            return false;
        }

        // A fresh api process, so that memory the sync left behind neither hides nor inflates what the export takes.
        await app.RestartAsync("api");
        await app.WaitForHealthyAsync("api", cancellationToken);
        var pid = app.ProcessId("api") ?? throw new InvalidOperationException("The api has no process.");
        using (await platform.Api.GetAsync(new Uri($"/v1/users/{platform.UserId}", UriKind.Relative), cancellationToken))
        {
        }

        var memory = new ProcessMemory(pid);
        Program.Line("Api", $"restarted (pid {pid}); RSS {Megabytes(memory.ResidentBytes)} MB after one warm-up call");
        var results = new List<ExportResult>();
        foreach (var format in new[] { "xlsx", "csv" })
        {
            results.Add(await ExportAsync(platform, memory, $"E {format}, first in process", format, checkReaders: false, cancellationToken));
            for (var warm = 1; warm <= WarmRuns; warm++)
            {
                // One warm xlsx is also read back by three readers, once its time and memory are measured.
                results.Add(await ExportAsync(platform, memory, $"E {format}, again ({warm})", format, checkReaders: format == "xlsx" && warm == 1, cancellationToken));
            }
        }

        Console.WriteLine();
        Console.WriteLine($"{"",-26} {"seconds",8} {"rows",9} {"rows/s",8} {"MB file",8} {"RSS before",11} {"peak",8} {"growth",8}");
        Console.WriteLine(new string('-', 94));
        foreach (var r in results)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{r.Label,-26} {r.Seconds,8:0.00} {r.Rows,9:N0} {r.Rows / r.Seconds,8:N0} {r.Bytes / 1048576.0,8:0.0} {Megabytes(r.RssBefore),8} MB {Megabytes(r.Peak),5} MB {Megabytes(r.Peak - r.RssBefore),5} MB"));
        }

        Console.WriteLine();
        Console.WriteLine(results.All(r => r.KernelPeak)
            ? "Peak: the kernel's VmHWM, reset to the current RSS before each export (/proc/<pid>/clear_refs)."
            : "Peak: the highest VmRSS sampled every 20 ms (VmHWM could not be reset).");
        var worst = results.Where(r => r.Format == "xlsx").Max(r => r.Peak - r.RssBefore) / 1048576.0;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"xlsx export memory growth: {worst:0} MB at most (target < {TargetGrowthMegabytes:0} MB: {(worst < TargetGrowthMegabytes ? "met" : "NOT met")})"));
        foreach (var (format, target) in TargetRowsPerSecond)
        {
            // Each format's first export is the cold one; the rest are warm.
            var median = Program.Median(results.Where(r => r.Format == format).Skip(1).Select(r => r.Rows / r.Seconds));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{format} export, warm: median {median:N0} rows/s (target >= {target:N0}: {(median >= target ? "met" : "NOT met")})"));
        }

        var complete = results.All(r => r.Rows == synced && r.ReadAlike);
        Console.WriteLine(complete ? $"Every export held the {synced:N0} synced transactions." : $"An export did not hold the {synced:N0} synced transactions.");
        return complete;
    }

    private static async Task<ExportResult> ExportAsync(
        PlatformApi platform, ProcessMemory memory, string label, string format, bool checkReaders, CancellationToken cancellationToken)
    {
        Console.Write($"{label}: exporting ...");
        var resetWorked = memory.ResetPeak();
        var before = memory.ResidentBytes ?? 0;
        using var stopSampling = new CancellationTokenSource();
        var sampling = memory.SampleMaxAsync(TimeSpan.FromMilliseconds(20), stopSampling.Token);
        var file = Path.Combine(Path.GetTempPath(), $"psd2-bench-export-{Guid.NewGuid():N}.{format}");
        try
        {
            var clock = Stopwatch.StartNew();
            using (var response = await platform.Api.GetAsync(
                new Uri($"/v1/users/{platform.UserId}/export?format={format}", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead, cancellationToken))
            {
                if (!response.IsSuccessStatusCode)
                {
                    throw new InvalidOperationException($"The export answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}");
                }

                await using var output = File.Create(file);
                await response.Content.CopyToAsync(output, cancellationToken);
            }

            var seconds = clock.Elapsed.TotalSeconds;
            await stopSampling.CancelAsync();
            var sampled = await sampling;
            var peak = resetWorked ? Math.Max(memory.PeakResidentBytes ?? 0, sampled) : sampled;
            var rows = format == "xlsx" ? WorkbookTransactions(file) : CsvRecords(file);
            Console.WriteLine(" done");
            string? difference = null;
            if (format == "xlsx" && checkReaders)
            {
                Console.Write($"{label}: reading it back with the Open XML SDK, SheetJS and exceljs ...");
                difference = await ExportReaders.FirstDifferenceAsync(file, cancellationToken);
                Console.WriteLine(difference is null ? $" the same {rows:N0} transactions, cell for cell" : $" they differ: {difference}");
            }

            return new ExportResult(label, format, seconds, rows, new FileInfo(file).Length, before, peak, resetWorked, difference is null);
        }
        finally
        {
            await stopSampling.CancelAsync();
            File.Delete(file);
        }
    }

    /// <summary>The rows of the Transactions sheet (the third), header not counted, read as a stream.</summary>
    private static int WorkbookTransactions(string file)
    {
        using var zip = ZipFile.OpenRead(file);
        using var sheet = zip.GetEntry("xl/worksheets/sheet3.xml")!.Open();
        using var reader = XmlReader.Create(sheet);
        var rows = 0;
        while (reader.Read())
        {
            if (reader is { NodeType: XmlNodeType.Element, LocalName: "row" })
            {
                rows++;
            }
        }

        return rows - 1;
    }

    /// <summary>Records after the header; the sandbox bank's texts hold no line breaks, so a record is a line.</summary>
    private static int CsvRecords(string file) => File.ReadLines(file).Count() - 1;

    private static string Megabytes(long? bytes) => bytes is { } b ? (b / 1048576.0).ToString("0", CultureInfo.InvariantCulture) : "?";

    private sealed record ExportResult(string Label, string Format, double Seconds, int Rows, long Bytes, long RssBefore, long Peak, bool KernelPeak, bool ReadAlike);
}
