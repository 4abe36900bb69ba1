using System.Buffers;
using System.IO.Compression;
using Google.Protobuf;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;
using Psd2.AppHost.Otlp.Proto.Collector;
using Psd2.AppHost.Telemetry;

namespace Psd2.AppHost.Otlp;

/// <summary>
/// OTLP/HTTP with binary protobuf bodies, as the services' exporters send with OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf:
/// <c>POST /v1/traces</c>, <c>/v1/logs</c>, <c>/v1/metrics</c>; <c>Content-Type: application/x-protobuf</c> only
/// (415 otherwise), gzip bodies when <c>Content-Encoding: gzip</c>. Answers with the matching Export*ServiceResponse,
/// carrying partial success when some items were refused.
/// </summary>
public sealed class OtlpReceiver(TelemetryStore store)
{
    public const string ProtobufContentType = "application/x-protobuf";
    private readonly OtlpIngest _ingest = new(store);

    public static bool IsOtlpPath(PathString path) => path == "/v1/traces" || path == "/v1/logs" || path == "/v1/metrics";

    public async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var response = context.Response;
        if (!IsOtlpPath(request.Path))
        {
            response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        if (!HttpMethods.IsPost(request.Method))
        {
            response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            response.Headers.Allow = "POST";
            return;
        }

        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType) || !mediaType.MediaType.Equals(ProtobufContentType, StringComparison.OrdinalIgnoreCase))
        {
            response.StatusCode = StatusCodes.Status415UnsupportedMediaType;
            return;
        }

        var encoding = request.Headers.ContentEncoding.ToString();
        if (encoding.Length > 0 && !encoding.Equals("gzip", StringComparison.OrdinalIgnoreCase) && !encoding.Equals("identity", StringComparison.OrdinalIgnoreCase))
        {
            response.StatusCode = StatusCodes.Status415UnsupportedMediaType;
            return;
        }

        var body = await ReadBodyAsync(request, gzip: encoding.Equals("gzip", StringComparison.OrdinalIgnoreCase), store.Limits.MaxRequestBytes, context.RequestAborted);
        try
        {
            if (body.Array is null)
            {
                response.StatusCode = StatusCodes.Status413PayloadTooLarge;
                return;
            }

            IMessage answer;
            try
            {
                answer = Ingest(request.Path, new ReadOnlySpan<byte>(body.Array, 0, body.Length));
            }
            catch (InvalidProtocolBufferException)
            {
                response.StatusCode = StatusCodes.Status400BadRequest;
                return;
            }

            response.ContentType = ProtobufContentType;
            var bytes = answer.ToByteArray();
            response.ContentLength = bytes.Length;
            await response.Body.WriteAsync(bytes, context.RequestAborted);
        }
        finally
        {
            if (body.Array is not null)
            {
                ArrayPool<byte>.Shared.Return(body.Array);
            }
        }
    }

    /// <summary>Decodes one export request and stores what it holds; the answer to send back.</summary>
    public IMessage Ingest(PathString path, ReadOnlySpan<byte> body)
    {
        if (path == "/v1/traces")
        {
            var rejected = _ingest.Add(ExportTraceServiceRequest.Parser.ParseFrom(body));
            return new ExportTraceServiceResponse { PartialSuccess = rejected == 0 ? null : new() { RejectedSpans = rejected, ErrorMessage = Refused } };
        }

        if (path == "/v1/logs")
        {
            var rejected = _ingest.Add(ExportLogsServiceRequest.Parser.ParseFrom(body));
            return new ExportLogsServiceResponse { PartialSuccess = rejected == 0 ? null : new() { RejectedLogRecords = rejected, ErrorMessage = Refused } };
        }

        var refused = _ingest.Add(ExportMetricsServiceRequest.Parser.ParseFrom(body));
        return new ExportMetricsServiceResponse { PartialSuccess = refused == 0 ? null : new() { RejectedDataPoints = refused, ErrorMessage = Refused } };
    }

    private const string Refused = "malformed ids, or more resources than the dashboard keeps";

    /// <summary>The body in a pooled array (the caller returns it); a null array when it is larger than <paramref name="limit"/>.</summary>
    private static async Task<(byte[]? Array, int Length)> ReadBodyAsync(HttpRequest request, bool gzip, int limit, CancellationToken cancellationToken)
    {
        await using var gunzip = gzip ? new GZipStream(request.Body, CompressionMode.Decompress, leaveOpen: true) : null;
        var source = gunzip ?? request.Body;
        var buffer = ArrayPool<byte>.Shared.Rent(gzip ? 64 * 1024 : (int)Math.Clamp(request.ContentLength ?? 64 * 1024, 1024, limit + 1L));
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (buffer.Length > limit)
                    {
                        ArrayPool<byte>.Shared.Return(buffer);
                        return (null, 0);
                    }

                    var larger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, limit + 1));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                var read = await source.ReadAsync(buffer.AsMemory(length), cancellationToken);
                if (read == 0)
                {
                    break;
                }

                length += read;
                if (length > limit)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    return (null, 0);
                }
            }

            return (buffer, length);
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }
}
