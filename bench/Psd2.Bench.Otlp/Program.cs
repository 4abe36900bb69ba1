using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Psd2.AppHost.Otlp;
using Psd2.AppHost.Otlp.Proto.Collector;
using Psd2.AppHost.Telemetry;
using Psd2.Bench.Otlp;

// Spans per second the dashboard's OTLP receiver ingests, POSTed over loopback in the SDK's batch size, beside the same
// POSTs to an endpoint that reads and discards the body (the cost of HTTP alone); then memory after a million spans.
// Options: --spans <n> (1000000), --batch <n> (512), --concurrency <n> (4), --limit <n> (10000 spans per resource).
var spans = Option("--spans", 1_000_000);
var batchSize = Option("--batch", 512);
var concurrency = Option("--concurrency", 4);
var limit = Option("--limit", 10_000);
var batchCount = (int)Math.Ceiling(spans / (double)batchSize);

var store = new TelemetryStore(new TelemetryLimits { MaxSpansPerResource = limit });
var receiver = new OtlpReceiver(store);
// Warming up goes to a receiver of its own, so the measured store starts empty and shows how memory fills to the limit.
var warmup = new OtlpReceiver(new TelemetryStore(new TelemetryLimits { MaxSpansPerResource = limit }));
var emptyAnswer = new ExportTraceServiceResponse().ToByteArray();
var builder = WebApplication.CreateSlimBuilder();
builder.Logging.ClearProviders();
builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
await using var web = builder.Build();
web.Run(async context =>
{
    if (context.Request.Path.StartsWithSegments("/warmup", out var warmupPath))
    {
        context.Request.Path = warmupPath;
        await warmup.HandleAsync(context);
        return;
    }

    if (!context.Request.Path.StartsWithSegments("/discard"))
    {
        await receiver.HandleAsync(context);
        return;
    }

    // The baseline: the same request read to its end and answered alike, with nothing decoded or kept.
    var buffer = new byte[64 * 1024];
    while (await context.Request.Body.ReadAsync(buffer, context.RequestAborted) > 0)
    {
    }

    context.Response.ContentType = OtlpReceiver.ProtobufContentType;
    await context.Response.Body.WriteAsync(emptyAnswer, context.RequestAborted);
});
await web.StartAsync();
var address = new Uri(web.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

Console.WriteLine($"Encoding {batchCount} batches of {batchSize} spans ({SpanBatches.Services.Length} resources)...");
var batches = SpanBatches.Encode(Math.Min(batchCount, 256), batchSize);
Console.WriteLine($"Batch size on the wire: {batches.Average(b => b.Length) / 1024:0.0} KiB ({batches.Average(b => b.Length) / batchSize:0} bytes a span)");
Console.WriteLine($"Build: {(typeof(OtlpReceiver).Assembly.GetCustomAttributes(typeof(DebuggableAttribute), false).OfType<DebuggableAttribute>().Any(d => d.IsJITOptimizerDisabled) ? "Debug (not optimized!)" : "optimized")}, " +
    $"{Environment.ProcessorCount} cores, concurrency {concurrency}");

using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency }) { BaseAddress = address };

// Warm up both paths (JIT, connections), then measure each over the same batches.
await PostAllAsync("/discard/v1/traces", Math.Min(200, batchCount), _ => { });
await PostAllAsync("/warmup/v1/traces", Math.Min(200, batchCount), _ => { });
warmup = null;
var baseline = await MeasureAsync("/discard/v1/traces", "baseline (discard)");

// The encoded batches stay in memory throughout; the heap figures below include them.
var before = Memory();
var ingest = await MeasureAsync("/v1/traces", "receiver");
Console.WriteLine();
Console.WriteLine($"Throughput: receiver {ingest:N0} spans/s, baseline {baseline:N0} spans/s: the receiver runs at {ingest / baseline:P0} of the baseline's rate");

// Memory: the same million spans again into a fresh store, in ten steps, each followed by a full collection, so the
// figures show what the store holds and not garbage waiting for the next collection.
store = new TelemetryStore(new TelemetryLimits { MaxSpansPerResource = limit });
receiver = new OtlpReceiver(store);
var empty = Memory();
Console.WriteLine($"Memory with an empty store (the encoded batches included): heap {Mib(empty.Heap)}, RSS {Mib(empty.Rss)}; before the first run: heap {Mib(before.Heap)}");
// A first stop below the limit (the rings still filling), then every tenth of the run.
var step = (int)Math.Ceiling(batchCount / 10.0);
var checkpoints = new[] { Math.Min(batchCount, limit * SpanBatches.Services.Length / batchSize / 2) }
    .Concat(Enumerable.Range(1, 10).Select(i => Math.Min(batchCount, i * step))).Where(c => c > 0).Distinct().Order().ToList();
var posted = 0;
foreach (var checkpoint in checkpoints)
{
    await PostAllAsync("/v1/traces", checkpoint - posted, _ => { }, posted);
    posted = checkpoint;
    var now = Memory();
    Console.WriteLine($"  after {posted * (long)batchSize,9:N0} spans: heap {Mib(now.Heap)} (store {Mib(now.Heap - empty.Heap)}), RSS {Mib(now.Rss)}");
}

var kept = SpanBatches.Services.Select(s => store.Resource(s)?.Spans.Count ?? 0).ToArray();
Console.WriteLine($"Spans kept: {string.Join(", ", SpanBatches.Services.Zip(kept, (s, k) => $"{s} {k:N0}"))} (limit {limit:N0} a resource)");
return kept.All(k => k == Math.Min(limit, batchCount * batchSize / SpanBatches.Services.Length)) ? 0 : 1;

async Task<double> MeasureAsync(string path, string label, Action<int>? progress = null)
{
    var clock = Stopwatch.StartNew();
    await PostAllAsync(path, batchCount, progress ?? (_ => { }));
    var rate = batchCount * (double)batchSize / clock.Elapsed.TotalSeconds;
    Console.WriteLine($"{label,-20} {batchCount * (long)batchSize:N0} spans in {clock.Elapsed.TotalSeconds:0.00} s: {rate:N0} spans/s");
    return rate;
}

async Task PostAllAsync(string path, int count, Action<int> progress, int first = 0)
{
    var next = first - 1;
    count += first;
    var done = 0;
    await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
    {
        int i;
        while ((i = Interlocked.Increment(ref next)) < count)
        {
            using var content = new ByteArrayContent(batches[i % batches.Length]);
            content.Headers.ContentType = new MediaTypeHeaderValue(OtlpReceiver.ProtobufContentType);
            using var response = await http.PostAsync(path, content);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                throw new InvalidOperationException($"{path} answered {(int)response.StatusCode}");
            }

            progress(Interlocked.Increment(ref done));
        }
    }));
}

static (long Heap, long Rss) Memory()
{
    GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
    GC.WaitForPendingFinalizers();
    return (GC.GetTotalMemory(true), Rss());
}

static long Rss()
{
    var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
    return line is null ? 0 : long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
}

static string Mib(long bytes) => $"{bytes / 1024.0 / 1024.0,7:0.0} MiB";

int Option(string name, int fallback)
{
    var at = Array.IndexOf(args, name);
    return at >= 0 && at + 1 < args.Length && int.TryParse(args[at + 1], CultureInfo.InvariantCulture, out var value) && value > 0 ? value : fallback;
}
