using System.Globalization;

namespace Psd2.Bench;

/// <summary>
/// Another process's resident memory from /proc/&lt;pid&gt;/status (Linux): VmRSS now and VmHWM, the kernel's own
/// high-water mark, which catches a peak between two samples. Writing 5 to /proc/&lt;pid&gt;/clear_refs resets the
/// mark to the current RSS (Linux 4.0+, allowed for a child process of the same user), so that it covers one
/// measured run only. Elsewhere every figure is null.
/// </summary>
public sealed class ProcessMemory(int pid)
{
    public static bool Available => File.Exists("/proc/self/status");

    public long? ResidentBytes => Field("VmRSS");

    public long? PeakResidentBytes => Field("VmHWM");

    /// <summary>Starts a new high-water mark at the current RSS; false when the kernel refused.</summary>
    public bool ResetPeak()
    {
        try
        {
            File.WriteAllText($"/proc/{pid}/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Samples RSS until cancelled and returns the highest value seen, a floor for the peak when VmHWM cannot be reset.</summary>
    public async Task<long> SampleMaxAsync(TimeSpan interval, CancellationToken stop)
    {
        var max = ResidentBytes ?? 0;
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                max = Math.Max(max, ResidentBytes ?? 0);
            }
        }
        catch (OperationCanceledException)
        {
        }

        return Math.Max(max, ResidentBytes ?? 0);
    }

    private long? Field(string name)
    {
        try
        {
            // "VmRSS:	  123456 kB"
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith(name + ":", StringComparison.Ordinal));
            return line is null ? null : long.Parse(line[(name.Length + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null; // the process has exited
        }
    }
}
