using System.Net;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Psd2.Core.Banking;
using Psd2.Core.Connectors;
using Psd2.Core.Connectors.BerlinGroup;

namespace Psd2.Core.Tests.Connectors;

/// <summary>A bank whose every answer the test writes, behind a connector as the platform builds one.</summary>
internal static class AnsweringBank
{
    public const string TokenPath = "/oauth2/token";

    public static BerlinGroupConnector Connector(Func<HttpRequestMessage, HttpResponseMessage> answer, DateTimeOffset now, HttpMessageSigner? signer = null)
    {
        var http = new HttpClient(new Answering(answer)) { BaseAddress = new Uri("https://bank.example") };
        return new BerlinGroupConnector(http, new OAuthClient(http, http), TokenPath, signer, new FixedTime(now), NullLogger<BerlinGroupConnector>.Instance);
    }

    /// <summary>The body the connector sent, kept because the connector disposes of its requests.</summary>
    public static byte[] BodyOf(HttpRequestMessage request) => request.Options.TryGetValue(Body, out var body) ? body : [];

    private static readonly HttpRequestOptionsKey<byte[]> Body = new("test.body");

    public static HttpResponseMessage Answer(HttpStatusCode status, string json) =>
        new(status) { Content = new StringContent(json, Encoding.UTF8, "application/json") };

    private sealed class Answering(Func<HttpRequestMessage, HttpResponseMessage> answer) : HttpMessageHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Content is not null)
            {
                request.Options.Set(Body, await request.Content.ReadAsByteArrayAsync(cancellationToken));
            }

            return answer(request);
        }
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
