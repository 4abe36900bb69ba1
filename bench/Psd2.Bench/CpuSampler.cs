using System.Diagnostics;
using System.Globalization;

namespace Psd2.Bench;

/// <summary>
/// CPU time per process tree from /proc (Linux only; elsewhere every figure is null): where the machine's cores
/// went during a scenario, the load generator included.
/// </summary>
/// <param name="groups">Root process ids and the group their trees count for; several roots may share a group.</param>
/// <param name="self">This process: its own time is the load generator's, its other descendants are "other".</param>
public sealed class CpuSampler(IReadOnlyDictionary<int, string> groups, int self)
{
    public const string LoadGenerator = "load generator";
    public const string Other = "other";

    private const double TicksPerSecond = 100; // USER_HZ, 100 on every mainstream Linux

    public static bool Available => File.Exists("/proc/stat");

    public CpuSnapshot Take()
    {
        if (!Available)
        {
            return new CpuSnapshot(new Dictionary<string, long>(), 0, 0);
        }

        var processes = new Dictionary<int, (int Parent, long Ticks)>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && Stat(pid) is { } stat)
            {
                processes[pid] = stat;
            }
        }

        // Each process counts once, for the nearest root above it; processes outside this one's tree are left out.
        var ticks = groups.Values.Append(LoadGenerator).Append(Other).Distinct(StringComparer.Ordinal).ToDictionary(name => name, _ => 0L, StringComparer.Ordinal);
        foreach (var (pid, (_, used)) in processes)
        {
            for (var current = pid; current > 1 && processes.TryGetValue(current, out var entry); current = entry.Parent)
            {
                if (groups.TryGetValue(current, out var name))
                {
                    ticks[name] += used;
                    break;
                }

                if (current == self)
                {
                    ticks[pid == self ? LoadGenerator : Other] += used;
                    break;
                }
            }
        }

        var (busy, total) = Machine();
        return new CpuSnapshot(ticks, busy, total);
    }

    /// <summary>Cores used per named tree between two snapshots, and by the whole machine.</summary>
    public static (IReadOnlyDictionary<string, double> Cores, double MachineBusyPercent) Between(CpuSnapshot before, CpuSnapshot after, TimeSpan elapsed)
    {
        var cores = after.Ticks.ToDictionary(
            t => t.Key,
            t => (t.Value - before.Ticks.GetValueOrDefault(t.Key)) / TicksPerSecond / elapsed.TotalSeconds,
            StringComparer.Ordinal);
        var total = after.MachineTotal - before.MachineTotal;
        return (cores, total > 0 ? 100.0 * (after.MachineBusy - before.MachineBusy) / total : double.NaN);
    }

    /// <summary>
    /// Waits until the machine has been below 10 % busy for half a second, 30 s at most, before a measured step: what the
    /// step before left running (the JIT compiling what it just used, in the api and the worker after a sync; PostgreSQL's
    /// autovacuum after a large insert) then no longer takes cores from the one measured next.
    /// </summary>
    /// <returns>How it went, for the output: e.g. "quiet after 0.5 s".</returns>
    public static async Task<string> SettleAsync(CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        while (Available && Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(30))
        {
            var before = Machine();
            await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken);
            var after = Machine();
            if (after.Total > before.Total && 100.0 * (after.Busy - before.Busy) / (after.Total - before.Total) < 10)
            {
                return string.Create(CultureInfo.InvariantCulture, $"quiet after {Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s");
            }
        }

        return Available ? "still busy after 30 s" : "not measured (no /proc)";
    }

    private static (int Parent, long Ticks)? Stat(int pid)
    {
        try
        {
            // pid (comm) state ppid ... utime(14) stime(15); comm may hold spaces and parentheses.
            var text = File.ReadAllText($"/proc/{pid}/stat");
            var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
            return (int.Parse(fields[1], CultureInfo.InvariantCulture),
                long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null; // exited meanwhile
        }
    }

    private static (long Busy, long Total) Machine()
    {
        // cpu  user nice system idle iowait irq softirq steal ...
        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(f => long.Parse(f, CultureInfo.InvariantCulture)).ToArray();
        var total = fields.Take(8).Sum();
        return (total - fields[3] - fields[4], total);
    }
}

public sealed record CpuSnapshot(IReadOnlyDictionary<string, long> Ticks, long MachineBusy, long MachineTotal);
