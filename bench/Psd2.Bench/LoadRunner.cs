using System.Diagnostics;
using System.Text;

namespace Psd2.Bench;

/// <summary>
/// Closed-loop load: <c>concurrency</c> workers, each sending its next request as soon as the previous response
/// has been read to the end, until the time is up. Latency is from send to the last body byte, in Stopwatch ticks.
/// </summary>
public static class LoadRunner
{
    public static async Task<ScenarioResult> RunAsync(HttpClient client, Func<HttpRequestMessage> request, int concurrency, TimeSpan duration, CancellationToken cancellationToken)
    {
        var start = Stopwatch.GetTimestamp();
        var end = start + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var workers = Enumerable.Range(0, concurrency)
            .Select(_ => Task.Run(() => WorkAsync(client, request, end, cancellationToken), cancellationToken))
            .ToArray();
        var results = await Task.WhenAll(workers);
        var elapsed = Stopwatch.GetElapsedTime(start);

        var latencies = new long[results.Sum(r => r.Count)];
        var at = 0;
        foreach (var result in results)
        {
            Array.Copy(result.Latencies, 0, latencies, at, result.Count);
            at += result.Count;
        }

        Array.Sort(latencies);
        return new ScenarioResult(
            latencies,
            elapsed,
            results.Sum(r => r.Errors),
            results.Sum(r => r.Bytes),
            results.Select(r => r.FirstError).FirstOrDefault(e => e is not null));
    }

    private static async Task<WorkerResult> WorkAsync(HttpClient client, Func<HttpRequestMessage> request, long end, CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        var latencies = new long[4096];
        var count = 0;
        var errors = 0;
        var bytes = 0L;
        string? firstError = null;
        while (Stopwatch.GetTimestamp() < end)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var message = request();
            var sent = Stopwatch.GetTimestamp();
            int status;
            var length = 0L;
            var head = 0;
            try
            {
                using var response = await client.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
                status = (int)response.StatusCode;
                await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
                int read;
                while ((read = await body.ReadAsync(buffer, cancellationToken)) > 0)
                {
                    // An error body is small and arrives in one read: the first chunk is its text.
                    head = length == 0 ? read : head;
                    length += read;
                }
            }
            catch (HttpRequestException e)
            {
                errors++;
                firstError ??= $"{message.Method} {message.RequestUri}: {e.Message}";
                continue;
            }

            var latency = Stopwatch.GetTimestamp() - sent;
            if (count == latencies.Length)
            {
                Array.Resize(ref latencies, latencies.Length * 2);
            }

            latencies[count++] = latency;
            bytes += length;
            if (status is < 200 or > 299)
            {
                errors++;
                firstError ??= $"{message.Method} {message.RequestUri}: {status} {Encoding.UTF8.GetString(buffer, 0, Math.Min(head, 400))}";
            }
        }

        return new WorkerResult(latencies, count, errors, bytes, firstError);
    }

    private sealed record WorkerResult(long[] Latencies, int Count, int Errors, long Bytes, string? FirstError);
}

/// <summary>One scenario's measurements: every request's latency (sorted, Stopwatch ticks), errors, bytes.</summary>
public sealed record ScenarioResult(long[] Latencies, TimeSpan Elapsed, int Errors, long Bytes, string? FirstError)
{
    public int Requests => Latencies.Length;

    public double RequestsPerSecond => Requests / Elapsed.TotalSeconds;

    public double AverageBytes => Requests == 0 ? 0 : (double)Bytes / Requests;

    /// <summary>Nearest-rank percentile in milliseconds.</summary>
    public double Percentile(double percent)
    {
        if (Requests == 0)
        {
            return double.NaN;
        }

        var rank = (int)Math.Ceiling(percent / 100 * Requests);
        return Milliseconds(Latencies[Math.Clamp(rank - 1, 0, Requests - 1)]);
    }

    public double MaxMilliseconds => Requests == 0 ? double.NaN : Milliseconds(Latencies[^1]);

    private static double Milliseconds(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;
}
