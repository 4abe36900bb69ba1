using Microsoft.AspNetCore.Http.Features;

namespace Psd2.SandboxBank.Signing;

/// <summary>
/// The parts of a request an HTTP signature covers, taken out of <see cref="HttpContext"/> so the verifier can be
/// exercised without a server.
/// </summary>
/// <param name="Method">The HTTP method, e.g. <c>GET</c>.</param>
/// <param name="PathAndQuery">
/// The request target exactly as sent (the raw, still percent-encoded path and query), used only when a TPP signs
/// <c>(request-target)</c>.
/// </param>
/// <param name="Headers">
/// The request headers; names are matched case-insensitively. A repeated header is one entry with its values joined
/// by ", ", as draft-cavage-http-signatures-10 builds the signing string.
/// </param>
/// <param name="Body">The body bytes exactly as received; empty when there is none.</param>
public sealed record SignedRequest(string Method, string PathAndQuery, IReadOnlyDictionary<string, string> Headers, ReadOnlyMemory<byte> Body)
{
    /// <summary>
    /// The request as received: the raw target and the headers as sent, since those are what the TPP signed, and the
    /// body's exact bytes, buffered so the endpoint reads them again from the start. Null when the body is longer
    /// than <paramref name="maxBodyBytes"/>.
    /// </summary>
    public static async Task<SignedRequest?> ReadAsync(HttpContext context, int maxBodyBytes)
    {
        var request = context.Request;
        request.EnableBuffering(maxBodyBytes);
        using var body = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, context.RequestAborted)) > 0)
        {
            if (body.Length + read > maxBodyBytes)
            {
                request.Body.Position = 0;
                return null;
            }

            body.Write(chunk, 0, read);
        }

        request.Body.Position = 0;
        var headers = request.Headers.ToDictionary(h => h.Key, h => string.Join(", ", h.Value.ToArray()), StringComparer.OrdinalIgnoreCase);
        var target = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? request.Path + request.QueryString;
        return new SignedRequest(request.Method, target, headers, body.ToArray());
    }
}
