using Psd2.AppHost.Telemetry;
using static Psd2.AppHost.Tests.Telemetry.TestSpans;

namespace Psd2.AppHost.Tests.Telemetry;

public sealed class TraceAssemblyTests
{
    private const string Trace = "0af7651916cd43dd8448eb211c80319c";

    // api's request calls the bank (whose server span is a child of api's client span) and the database.
    private static readonly StoredSpan[] Spans =
    [
        Span("sandboxbank", Trace, "bank-server", "api-http", 120, 180),
        Span("api", Trace, "api-db2", "api-root", 200, 210, "INSERT"),
        Span("api", Trace, "api-root", null, 100, 250, "GET /connect/callback"),
        Span("sandboxbank", Trace, "bank-db", "bank-server", 130, 150, "SELECT"),
        Span("api", Trace, "api-http", "api-root", 110, 190, "POST"),
        Span("api", Trace, "api-db1", "api-root", 102, 108, "SELECT"),
    ];

    [Fact]
    public void SpansFromSeveralResourcesInAnyOrderFormOneTreeParentsFirstSiblingsByStart()
    {
        var trace = TraceAssembly.Assemble(Trace, Spans.Reverse().ToList());

        Assert.Equal(["api-root", "api-db1", "api-http", "bank-server", "bank-db", "api-db2"], trace.Spans.Select(s => s.Span.SpanId));
        Assert.Equal([0, 1, 1, 2, 3, 1], trace.Spans.Select(s => s.Depth));
        Assert.All(trace.Spans, s => Assert.False(s.ParentMissing));
        Assert.Equal(["api", "sandboxbank"], trace.Summary.Resources);
        Assert.Equal("GET /connect/callback", trace.Summary.RootName);
        Assert.Equal("api", trace.Summary.RootResource);
        Assert.Equal(TimeSpan.FromMilliseconds(150), trace.Summary.Duration);
    }

    [Fact]
    public void BarsArePlacedOnTheTracesTimeline()
    {
        var trace = TraceAssembly.Assemble(Trace, Spans);

        var root = trace.Spans[0];
        var bank = trace.Spans.Single(s => s.Span.SpanId == "bank-server");
        Assert.Equal((0.0, 100.0), (root.OffsetPercent, root.WidthPercent));
        Assert.Equal(100.0 * 20 / 150, bank.OffsetPercent, 6);
        Assert.Equal(40.0, bank.WidthPercent, 6);
    }

    [Fact]
    public void ASpanWhoseParentIsNotHeldIsShownAsARootAndTheTraceKeepsItsRealRoot()
    {
        var partial = Spans.Where(s => s.SpanId != "api-http").ToList();

        var trace = TraceAssembly.Assemble(Trace, partial);

        Assert.Equal(["api-root", "api-db1", "api-db2", "bank-server", "bank-db"], trace.Spans.Select(s => s.Span.SpanId));
        Assert.True(trace.Spans.Single(s => s.Span.SpanId == "bank-server").ParentMissing);
        Assert.Equal("GET /connect/callback", trace.Summary.RootName);
    }

    [Fact]
    public void ASpanExportedTwiceIsShownOnce()
    {
        var trace = TraceAssembly.Assemble(Trace, [.. Spans, Spans[0], Spans[2]]);

        Assert.Equal(6, trace.Spans.Count);
        Assert.Equal(6, trace.Summary.SpanCount);
    }

    [Fact]
    public void SpansWhoseParentsFormALoopAreStillShown()
    {
        var trace = TraceAssembly.Assemble(Trace, [Span("api", Trace, "a", "b", 0, 1), Span("api", Trace, "b", "a", 1, 2)]);

        Assert.Equal(["a", "b"], trace.Spans.Select(s => s.Span.SpanId));
    }

    [Fact]
    public void AnErrorAnywhereMarksTheTrace()
    {
        var spans = Spans.Select(s => s.SpanId == "bank-db" ? s with { Status = SpanStatus.Error } : s).ToList();

        Assert.True(TraceAssembly.Summarize(Trace, spans).HasError);
        Assert.False(TraceAssembly.Summarize(Trace, Spans).HasError);
    }
}
