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
public sealed record SignedRequest(string Method, string PathAndQuery, IReadOnlyDictionary<string, string> Headers, ReadOnlyMemory<byte> Body);
