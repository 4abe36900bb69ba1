namespace Psd2.AppHost.Telemetry;

/// <summary>One trace for the list: its root span, who took part, how long it took, whether anything failed.</summary>
public sealed record TraceSummary(
    string TraceId, string RootResource, string RootName, long StartUnixNano, TimeSpan Duration,
    IReadOnlyList<string> Resources, int SpanCount, bool HasError, IReadOnlyList<StoredSpan> Spans)
{
    public DateTimeOffset Start => UnixNano.ToDateTime(StartUnixNano);
}

/// <summary>A span placed in its trace: how deep in the tree, and where its bar starts and ends within the trace.</summary>
public sealed record TraceSpanView(StoredSpan Span, int Depth, double OffsetPercent, double WidthPercent, bool ParentMissing);

/// <summary>A whole trace: its spans in tree order (each parent before its children, siblings by start time).</summary>
public sealed record TraceView(TraceSummary Summary, IReadOnlyList<TraceSpanView> Spans);

/// <summary>
/// Puts a trace back together from spans that arrive from several resources, in any order and at different times:
/// children hang under their parent by parent span id; a span whose parent is not (yet, or any longer) held
/// becomes a root of its own, so a partial trace still shows everything that is there.
/// </summary>
public static class TraceAssembly
{
    public static TraceSummary Summarize(string traceId, IReadOnlyList<StoredSpan> spans)
    {
        var ids = spans.Select(s => s.SpanId).ToHashSet(StringComparer.Ordinal);
        var root = spans
            .OrderBy(s => s.ParentSpanId is not null && ids.Contains(s.ParentSpanId) ? 1 : 0)
            .ThenBy(s => s.ParentSpanId is null ? 0 : 1)
            .ThenBy(s => s.StartUnixNano)
            .First();
        var start = spans.Min(s => s.StartUnixNano);
        var end = spans.Max(s => s.EndUnixNano);
        return new TraceSummary(
            traceId, root.Resource, root.Name, start, TimeSpan.FromTicks(Math.Max(0, end - start) / 100),
            spans.Select(s => s.Resource).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList(),
            spans.Count, spans.Any(s => s.IsError), spans);
    }

    public static TraceView Assemble(string traceId, IReadOnlyList<StoredSpan> spans)
    {
        // A span exported twice (a retried export) is shown once.
        var unique = spans.GroupBy(s => s.SpanId, StringComparer.Ordinal).Select(g => g.First()).ToList();
        var summary = Summarize(traceId, unique);
        var byId = unique.ToDictionary(s => s.SpanId, StringComparer.Ordinal);
        var children = unique
            .Where(s => s.ParentSpanId is not null && byId.ContainsKey(s.ParentSpanId))
            .ToLookup(s => s.ParentSpanId!, StringComparer.Ordinal);
        var roots = unique.Where(s => s.ParentSpanId is null || !byId.ContainsKey(s.ParentSpanId)).OrderBy(s => s.StartUnixNano);

        var total = Math.Max(1, unique.Max(s => s.EndUnixNano) - summary.StartUnixNano);
        var ordered = new List<TraceSpanView>(unique.Count);
        var stack = new Stack<(StoredSpan Span, int Depth)>();
        foreach (var root in roots.Reverse())
        {
            stack.Push((root, 0));
        }

        while (stack.Count > 0)
        {
            var (span, depth) = stack.Pop();
            var offset = 100.0 * (span.StartUnixNano - summary.StartUnixNano) / total;
            var width = 100.0 * Math.Max(0, span.EndUnixNano - span.StartUnixNano) / total;
            ordered.Add(new TraceSpanView(span, depth, offset, width, span.ParentSpanId is not null && !byId.ContainsKey(span.ParentSpanId)));
            foreach (var child in children[span.SpanId].OrderByDescending(c => c.StartUnixNano))
            {
                stack.Push((child, depth + 1));
            }
        }

        // Spans whose parents form a loop are reachable from no root; they are shown at the top level rather than lost.
        if (ordered.Count < unique.Count)
        {
            var placed = ordered.Select(v => v.Span.SpanId).ToHashSet(StringComparer.Ordinal);
            ordered.AddRange(unique.Where(s => !placed.Contains(s.SpanId)).OrderBy(s => s.StartUnixNano).Select(s =>
                new TraceSpanView(s, 0, 100.0 * (s.StartUnixNano - summary.StartUnixNano) / total, 100.0 * Math.Max(0, s.EndUnixNano - s.StartUnixNano) / total, ParentMissing: true)));
        }

        return new TraceView(summary, ordered);
    }
}
