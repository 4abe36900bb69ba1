using Google.Protobuf;
using Psd2.AppHost.Otlp.Proto.Collector;
using Psd2.AppHost.Otlp.Proto.Common;
using Psd2.AppHost.Otlp.Proto.Trace;
using ProtoResource = Psd2.AppHost.Otlp.Proto.Resource.Resource;

namespace Psd2.Bench.Otlp;

/// <summary>
/// Export requests shaped like the services' own: the .NET SDK's batches of 512 spans, each trace a request span with
/// database and HTTP client spans under it, carrying the attributes ASP.NET Core, HttpClient and Npgsql record.
/// Encoded once, before anything is measured; every batch has ids of its own.
/// </summary>
internal static class SpanBatches
{
    public static readonly string[] Services = ["api", "sandboxbank", "worker", "migrator"];

    public static byte[][] Encode(int batches, int spansPerBatch)
    {
        var random = new Random(42);
        return Enumerable.Range(0, batches).Select(i => Batch(random, Services[i % Services.Length], spansPerBatch).ToByteArray()).ToArray();
    }

    private static ExportTraceServiceRequest Batch(Random random, string service, int spans)
    {
        var scope = new ScopeSpans { Scope = new InstrumentationScope { Name = "Microsoft.AspNetCore" } };
        var start = (ulong)DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000;
        var traceId = Id(random, 16);
        var rootId = Id(random, 8);
        for (var i = 0; i < spans; i++)
        {
            // Eight spans a trace: the request, then six queries and one call to the bank under it.
            var position = i % 8;
            if (position == 0)
            {
                traceId = Id(random, 16);
                rootId = Id(random, 8);
            }

            var span = new Span
            {
                TraceId = traceId,
                SpanId = position == 0 ? rootId : Id(random, 8),
                ParentSpanId = position == 0 ? ByteString.Empty : rootId,
                Flags = 1,
                StartTimeUnixNano = start + (ulong)(i * 1_000_000),
                EndTimeUnixNano = start + (ulong)(i * 1_000_000) + (ulong)random.Next(100_000, 50_000_000),
            };
            if (position == 0)
            {
                span.Name = "GET /v1/connections/{connectionId:guid}";
                span.Kind = Span.Types.SpanKind.Server;
                span.Attributes.Add([
                    Text("http.request.method", "GET"), Text("url.scheme", "http"), Text("url.path", "/v1/connections/" + Guid.NewGuid()),
                    Text("http.route", "/v1/connections/{connectionId:guid}"), Number("http.response.status_code", 200),
                    Text("http.request.header.x_request_id", Guid.NewGuid().ToString())]);
            }
            else if (position == 7)
            {
                span.Name = "GET";
                span.Kind = Span.Types.SpanKind.Client;
                span.Attributes.Add([
                    Text("http.request.method", "GET"), Text("server.address", "localhost"), Number("server.port", 39769),
                    Text("url.full", "https://localhost:39769/v1/accounts?withBalance=REDACTED"), Number("http.response.status_code", 200),
                    Text("network.protocol.version", "1.1")]);
                span.Events.Add(new Span.Types.Event { Name = "received-first-response", TimeUnixNano = span.EndTimeUnixNano - 1000 });
            }
            else
            {
                span.Name = "postgresql";
                span.Kind = Span.Types.SpanKind.Client;
                span.Attributes.Add([
                    Text("db.query.text", "SELECT c.id, c.access, c.status, c.valid_until, c.user_id FROM connections AS c WHERE c.id = @id LIMIT 2"),
                    Text("db.system.name", "postgresql"), Text("db.namespace", "psd2db"), Text("server.address", "127.0.0.1"), Number("server.port", 40055),
                    Text("db.npgsql.data_source", "Host=127.0.0.1;Port=40055;Username=postgres;Database=psd2db"), Number("db.npgsql.connection_id", 7605)]);
            }

            scope.Spans.Add(span);
        }

        return new ExportTraceServiceRequest
        {
            ResourceSpans =
            {
                new ResourceSpans
                {
                    Resource = new ProtoResource { Attributes = { Text("service.name", service), Text("service.instance.id", "bench:" + service), Text("telemetry.sdk.language", "dotnet") } },
                    ScopeSpans = { scope },
                },
            },
        };
    }

    private static ByteString Id(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return ByteString.CopyFrom(bytes);
    }

    private static KeyValue Text(string key, string value) => new() { Key = key, Value = new AnyValue { StringValue = value } };

    private static KeyValue Number(string key, long value) => new() { Key = key, Value = new AnyValue { IntValue = value } };
}
