using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;
using Psd2.Core.Webhooks;

namespace Psd2.Worker.Webhooks;

/// <summary>What one POST came to: the status code, or the error that stood in for one, and how long it took.</summary>
public sealed record SendResult(int? StatusCode, string? Error, TimeSpan Duration)
{
    public bool Delivered => StatusCode is >= 200 and < 300;
}

/// <summary>
/// POSTs deliveries to client apps' servers. Its own HttpClient, outside the factory's defaults: no retries (the outbox
/// schedules them), no redirects followed, one short timeout, no proxy or cookies, and every address a name resolves to checked
/// when connecting, so that a public name pointing at a private address (DNS rebinding) is refused too.
/// </summary>
public sealed class WebhookSender : IDisposable
{
    public const string UserAgent = "Psd2-Webhooks/1";
    private readonly HttpClient _client;
    private readonly TimeProvider _time;

    public WebhookSender(IOptions<WebhookOptions> options, TimeProvider time)
    {
        _time = time;
        var allowLoopback = options.Value.AllowLoopbackHttp;
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            UseProxy = false,
            ConnectTimeout = options.Value.RequestTimeout,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectCallback = (context, cancellationToken) => ConnectAsync(context.DnsEndPoint, allowLoopback, cancellationToken),
        };
        _client = new HttpClient(handler) { Timeout = options.Value.RequestTimeout };
        _client.DefaultRequestHeaders.UserAgent.ParseAdd(UserAgent);
    }

    public async Task<SendResult> SendAsync(Uri url, byte[] body, IReadOnlyDictionary<string, string> headers, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new("application/json") { CharSet = "utf-8" };
            foreach (var (name, value) in headers)
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }

            using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            var status = (int)response.StatusCode;
            var error = status is >= 300 and < 400 ? "redirect_not_followed" : null;
            return new SendResult(status, error, _time.GetElapsedTime(started));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new SendResult(null, "timeout", _time.GetElapsedTime(started));
        }
        catch (HttpRequestException e)
        {
            return new SendResult(null, Describe(e), _time.GetElapsedTime(started));
        }
    }

    private static string Describe(HttpRequestException e) => e switch
    {
        { InnerException: ForbiddenAddressException } => "address_forbidden",
        { HttpRequestError: HttpRequestError.NameResolutionError } => "name_not_resolved",
        { HttpRequestError: HttpRequestError.ConnectionError } => "connection_failed",
        { HttpRequestError: HttpRequestError.SecureConnectionError } => "tls_failed",
        { HttpRequestError: HttpRequestError.ResponseEnded or HttpRequestError.InvalidResponse } => "invalid_response",
        _ => "request_failed",
    };

    private static async ValueTask<Stream> ConnectAsync(DnsEndPoint endpoint, bool allowLoopback, CancellationToken cancellationToken)
    {
        var addresses = IPAddress.TryParse(endpoint.Host, out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(endpoint.Host, cancellationToken);
        var allowed = addresses.Where(a => WebhookUrls.IsPublic(a, allowLoopback)).ToArray();
        if (allowed.Length == 0 || allowed.Length != addresses.Length)
        {
            throw new ForbiddenAddressException();
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(allowed, endpoint.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public void Dispose() => _client.Dispose();

    /// <summary>The URL's host resolved to an address deliveries may not go to.</summary>
    private sealed class ForbiddenAddressException() : IOException("The webhook host resolves to a non-public address.");
}
