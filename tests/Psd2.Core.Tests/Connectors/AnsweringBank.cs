using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Psd2.Core.Banking;
using Psd2.Core.Connectors;
using Psd2.Core.Connectors.BerlinGroup;
using Psd2.Core.Connectors.Stet;
using Psd2.Core.Connectors.UkOpenBanking;

namespace Psd2.Core.Tests.Connectors;

/// <summary>A bank whose every answer the test writes, behind a connector as the platform builds one.</summary>
internal static class AnsweringBank
{
    public const string TokenPath = "/oauth2/token";

    public static BerlinGroupConnector Connector(Func<HttpRequestMessage, HttpResponseMessage> answer, DateTimeOffset now, HttpMessageSigner? signer = null)
    {
        var http = Http(answer);
        return new BerlinGroupConnector(http, new OAuthClient(http, http), TokenPath, signer, new FixedTime(now), NullLogger<BerlinGroupConnector>.Instance);
    }

    public static UkOpenBankingConnector UkConnector(Func<HttpRequestMessage, HttpResponseMessage> answer, DateTimeOffset now, X509Certificate2 qsealC)
    {
        var http = Http(answer);
        return new UkOpenBankingConnector(http, new OAuthClient(http, http), TokenPath, ClientId,
            new RequestSigners(qsealC, new FixedTime(now)), new FixedTime(now), NullLogger<UkOpenBankingConnector>.Instance);
    }

    public static StetConnector StetConnector(Func<HttpRequestMessage, HttpResponseMessage> answer, DateTimeOffset now)
    {
        var http = Http(answer);
        return new StetConnector(http, new OAuthClient(http, http), TokenPath, ClientId, null, new FixedTime(now), NullLogger<StetConnector>.Instance);
    }

    public const string ClientId = "PSDGB-FCA-123456";

    /// <summary>An RSA seal of the test's own, as the sandbox's QSealC would be.</summary>
    public static X509Certificate2 SelfSignedSeal(DateTimeOffset now)
    {
        using var key = RSA.Create(2048);
        return new CertificateRequest("CN=Test TPP seal", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1).CreateSelfSigned(now.AddDays(-1), now.AddYears(1));
    }

    private static HttpClient Http(Func<HttpRequestMessage, HttpResponseMessage> answer) =>
        new(new Answering(answer)) { BaseAddress = new Uri("https://bank.example") };

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

    public sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
