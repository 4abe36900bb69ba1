using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;
using Psd2.AppHost.Otlp.Proto.Collector;
using Psd2.AppHost.Otlp.Proto.Common;
using Psd2.AppHost.Otlp.Proto.Trace;
using Psd2.AppHost.Telemetry;
using ProtoResource = Psd2.AppHost.Otlp.Proto.Resource.Resource;

namespace Psd2.AppHost.Tests.Otlp;

/// <summary>OTLP/HTTP as the specification has it: protobuf bodies only, gzip when asked, partial success for what is refused.</summary>
public sealed class ReceiverProtocolTests : IAsyncLifetime
{
    private ReceiverHost _receiver = null!;
    private readonly HttpClient _client = new();

    public async Task InitializeAsync() => _receiver = await ReceiverHost.StartAsync(new TelemetryLimits { MaxResources = 2, MaxValueLength = 16 });

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _receiver.DisposeAsync();
    }

    private static ExportTraceServiceRequest Request(string service, params Span[] spans) => new()
    {
        ResourceSpans =
        {
            new ResourceSpans
            {
                Resource = new ProtoResource { Attributes = { new KeyValue { Key = "service.name", Value = new AnyValue { StringValue = service } } } },
                ScopeSpans = { new ScopeSpans { Scope = new InstrumentationScope { Name = "test" }, Spans = { spans } } },
            },
        },
    };

    private static Span NewSpan(string name, int traceIdLength = 16) => new()
    {
        TraceId = ByteString.CopyFrom(Enumerable.Repeat((byte)0xab, traceIdLength).ToArray()),
        SpanId = ByteString.CopyFrom(Enumerable.Repeat((byte)0xcd, 8).ToArray()),
        Name = name,
        Kind = Span.Types.SpanKind.Server,
        StartTimeUnixNano = 1_700_000_000_000_000_000,
        EndTimeUnixNano = 1_700_000_000_250_000_000,
        Attributes = { new KeyValue { Key = "url.path", Value = new AnyValue { StringValue = "/a/rather/long/path/beyond/the/limit" } } },
    };

    private Task<HttpResponseMessage> PostAsync(string path, byte[] body, string contentType = "application/x-protobuf", string? encoding = null)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        if (encoding is not null)
        {
            content.Headers.ContentEncoding.Add(encoding);
        }

        return _client.PostAsync(new Uri(_receiver.Url, path), content);
    }

    [Fact]
    public async Task AGzippedBodyIsDecompressedAndAnsweredWithAProtobufResponse()
    {
        using var compressed = new MemoryStream();
        await using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            Request("api", NewSpan("GET /")).WriteTo(gzip);
        }

        using var response = await PostAsync("/v1/traces", compressed.ToArray(), encoding: "gzip");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/x-protobuf", response.Content.Headers.ContentType?.MediaType);
        var answer = ExportTraceServiceResponse.Parser.ParseFrom(await response.Content.ReadAsByteArrayAsync());
        Assert.Null(answer.PartialSuccess);
        var span = Assert.Single(_receiver.Store.Resource("api")!.Spans.Snapshot());
        Assert.Equal(("abababababababababababababababab", "cdcdcdcdcdcdcdcd", TimeSpan.FromMilliseconds(250)), (span.TraceId, span.SpanId, span.Duration));
    }

    [Theory]
    [InlineData("application/json")]
    [InlineData("text/plain")]
    [InlineData("application/protobuf")]
    public async Task AnyOtherContentTypeIs415AndStoresNothing(string contentType)
    {
        using var response = await PostAsync("/v1/traces", Request("api", NewSpan("GET /")).ToByteArray(), contentType);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Null(_receiver.Store.Resource("api"));
    }

    [Fact]
    public async Task AnUnknownContentEncodingIs415()
    {
        using var response = await PostAsync("/v1/traces", Request("api", NewSpan("GET /")).ToByteArray(), encoding: "br");

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
    }

    [Fact]
    public async Task BytesThatAreNotProtobufAre400()
    {
        using var response = await PostAsync("/v1/logs", [0xff, 0xff, 0xff, 0xff, 0x0f]);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task OnlyTheThreeSignalPathsTakingPostExist()
    {
        using var unknown = await PostAsync("/v1/profiles", []);
        using var get = await _client.GetAsync(new Uri(_receiver.Url, "/v1/traces"));

        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, get.StatusCode);
    }

    [Fact]
    public async Task MalformedIdsAndResourcesBeyondTheLimitAreReportedAsRejectedAndLongValuesAreCut()
    {
        using var first = await PostAsync("/v1/traces", Request("api", NewSpan("kept"), NewSpan("bad id", traceIdLength: 3)).ToByteArray());
        using var second = await PostAsync("/v1/traces", Request("worker", NewSpan("kept too")).ToByteArray());
        using var third = await PostAsync("/v1/traces", Request("intruder", NewSpan("refused"), NewSpan("refused")).ToByteArray());

        Assert.Equal(1, ExportTraceServiceResponse.Parser.ParseFrom(await first.Content.ReadAsByteArrayAsync()).PartialSuccess.RejectedSpans);
        Assert.Null(ExportTraceServiceResponse.Parser.ParseFrom(await second.Content.ReadAsByteArrayAsync()).PartialSuccess);
        Assert.Equal(2, ExportTraceServiceResponse.Parser.ParseFrom(await third.Content.ReadAsByteArrayAsync()).PartialSuccess.RejectedSpans);
        Assert.Equal(["api", "worker"], _receiver.Store.ResourceNames);
        var kept = Assert.Single(_receiver.Store.Resource("api")!.Spans.Snapshot());
        Assert.Equal("/a/rather/long/p…", kept.Attribute("url.path"));
    }
}
