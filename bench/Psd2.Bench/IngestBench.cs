using Psd2.IntegrationTests.Harness;
using System.Diagnostics;
using Npgsql;
using NpgsqlTypes;

namespace Psd2.Bench;

/// <summary>
/// Ingest: the large PSU connected through the api (decoupled BankID) and fully synced end to end (bank pages over
/// mutual TLS, binary COPY into staging, the merge), in transactions per second, beside the same rows loaded with
/// one plain binary COPY into an empty table of the same shape, in the same run.
/// </summary>
public static class IngestBench
{
    private const double TargetPercent = 40;

    /// <summary>Warm syncs measured; the target is judged on their median.</summary>
    private const int WarmRuns = 3;

    public static async Task<bool> RunAsync(TestApp app, string largePsu, CpuSampler cpu, CancellationToken cancellationToken)
    {
        // The same full sync several times, each for a user of its own: the first in the fresh api and bank processes, which
        // spend a third of their CPU in the JIT meanwhile (perf: libclrjit), as a long-running process does once; then warm.
        var cold = await SyncLargePsuAsync(app, largePsu, "Cold", cpu, cancellationToken);
        var warm = new List<(bool Succeeded, double Rate, double CopyRate)>();
        for (var run = 1; run <= WarmRuns; run++)
        {
            warm.Add(await SyncLargePsuAsync(app, largePsu, $"Warm {run}", cpu, cancellationToken));
        }

        var median = Program.Median(warm.Select(w => 100 * w.Rate / w.CopyRate));
        Console.WriteLine();
        Console.WriteLine($"Ingest/COPY: warm median {median:0.0} % (target >= {TargetPercent:0} %: {(median >= TargetPercent ? "met" : "NOT met")}; "
            + $"each: {string.Join(", ", warm.Select(w => $"{100 * w.Rate / w.CopyRate:0.0} %"))}); cold {100 * cold.Rate / cold.CopyRate:0.0} %");
        return cold.Succeeded && warm.All(w => w.Succeeded);
    }

    /// <summary>Before each timed step, see <see cref="CpuSampler.SettleAsync"/>.</summary>
    private static async Task SettleAsync(string before, CancellationToken cancellationToken) =>
        Program.Line("Settled", $"{await CpuSampler.SettleAsync(cancellationToken)}, before {before}");

    private static async Task<(bool Succeeded, double Rate, double CopyRate)> SyncLargePsuAsync(
        TestApp app, string largePsu, string label, CpuSampler cpu, CancellationToken cancellationToken)
    {
        using var platform = await PlatformApi.CreateAsync(app, cancellationToken);
        var connectionId = await platform.ConnectDecoupledAsync(largePsu, cancellationToken);
        Console.WriteLine();
        Program.Line(label, $"connection {connectionId} active (decoupled BankID, PSU {largePsu}); full sync with the user present ...");
        await SettleAsync("the sync", cancellationToken);
        var before = cpu.Take();
        var clock = Stopwatch.StartNew();
        var run = await platform.SyncAsync(connectionId, TimeSpan.FromMinutes(10), cancellationToken);
        clock.Stop();
        var (cores, busy) = CpuSampler.Between(before, cpu.Take(), clock.Elapsed);
        var added = run.GetProperty("transactionsAdded").GetInt32();
        var syncSeconds = (run.GetProperty("finishedAt").GetDateTimeOffset() - run.GetProperty("startedAt").GetDateTimeOffset()).TotalSeconds;
        var copySeconds = await PlainCopySecondsAsync(app.GetConnectionString("psd2db"), connectionId, cancellationToken);

        Program.Line("Sync run", $"{run.GetProperty("status").GetString()}: {run.GetProperty("accountsSynced").GetInt32()} accounts, {added:N0} transactions "
            + $"in {syncSeconds:0.00} s ({clock.Elapsed.TotalSeconds:0.00} s seen by the client) = {added / syncSeconds:N0} transactions/s");
        if (CpuSampler.Available)
        {
            // CPU time per 1,000 transactions moves less with what else the machine runs than the seconds do.
            Program.Line("Sync CPU", string.Join(", ", cores.Where(c => c.Value >= 0.005).OrderByDescending(c => c.Value)
                .Select(c => $"{c.Key} {c.Value:0.00} cores ({c.Value * clock.Elapsed.TotalMilliseconds / added * 1000:0} ms per 1,000 tx)")) + $"; machine busy {busy:0} %");
        }

        Program.Line("Plain COPY", $"the same {added:N0} rows in {copySeconds:0.00} s = {added / copySeconds:N0} rows/s");
        return (run.GetProperty("status").GetString() == "succeeded", added / syncSeconds, added / copySeconds);
    }

    /// <summary>The synced rows read back into memory, then timed into an empty table of the same shape with one binary COPY.</summary>
    private static async Task<double> PlainCopySecondsAsync(string psd2db, Guid connectionId, CancellationToken cancellationToken)
    {
        await using var db = new NpgsqlConnection(psd2db);
        await db.OpenAsync(cancellationToken);
        var rows = new List<object?[]>();
        await using (var read = new NpgsqlCommand("""
            SELECT t.id, t.account_id, t.bank_transaction_id, t.entry_reference, t.status, t.amount, t.currency, t.booking_date, t.value_date,
                   t.sort_date, t.counterparty_name, t.counterparty_iban, t.remittance, t.bank_transaction_code, t.fingerprint, t.raw::text,
                   t.created_at, t.updated_at
            FROM transactions t JOIN accounts a ON a.id = t.account_id WHERE a.connection_id = $1
            """, db) { Parameters = { new() { Value = connectionId } } })
        await using (var reader = await read.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                var row = new object?[reader.FieldCount];
                reader.GetValues(row!);
                rows.Add(row);
            }
        }

        await using (var create = new NpgsqlCommand("DROP TABLE IF EXISTS bench_copy; CREATE TABLE bench_copy (LIKE transactions INCLUDING ALL)", db))
        {
            await create.ExecuteNonQueryAsync(cancellationToken);
        }

        NpgsqlDbType[] types =
        [
            NpgsqlDbType.Uuid, NpgsqlDbType.Uuid, NpgsqlDbType.Text, NpgsqlDbType.Text, NpgsqlDbType.Text, NpgsqlDbType.Numeric, NpgsqlDbType.Text,
            NpgsqlDbType.Date, NpgsqlDbType.Date, NpgsqlDbType.Date, NpgsqlDbType.Text, NpgsqlDbType.Text, NpgsqlDbType.Text, NpgsqlDbType.Text,
            NpgsqlDbType.Text, NpgsqlDbType.Jsonb, NpgsqlDbType.TimestampTz, NpgsqlDbType.TimestampTz,
        ];
        await SettleAsync("the plain COPY", cancellationToken);
        var clock = Stopwatch.StartNew();
        await using (var importer = await db.BeginBinaryImportAsync(
            "COPY bench_copy (id, account_id, bank_transaction_id, entry_reference, status, amount, currency, booking_date, value_date, sort_date, "
            + "counterparty_name, counterparty_iban, remittance, bank_transaction_code, fingerprint, raw, created_at, updated_at) FROM STDIN (FORMAT BINARY)", cancellationToken))
        {
            foreach (var row in rows)
            {
                await importer.StartRowAsync(cancellationToken);
                for (var i = 0; i < row.Length; i++)
                {
                    if (row[i] is null or DBNull)
                    {
                        await importer.WriteNullAsync(cancellationToken);
                    }
                    else
                    {
                        await importer.WriteAsync(row[i], types[i], cancellationToken);
                    }
                }
            }

            await importer.CompleteAsync(cancellationToken);
        }

        clock.Stop();
        await using (var drop = new NpgsqlCommand("DROP TABLE bench_copy", db))
        {
            await drop.ExecuteNonQueryAsync(cancellationToken);
        }

        return clock.Elapsed.TotalSeconds;
    }
}
