using Psd2.Core.Banking;

namespace Psd2.IntegrationTests.Harness;

/// <summary>
/// Signs every Berlin Group call (under /v1) with the TPP's QSealC, as the platform's connector does, unless the test
/// signed it itself or left out the X-Request-ID a signature needs (to see the bank refuse that first).
/// </summary>
public sealed class SigningHandler(HttpMessageSigner signer) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.RequestUri!.AbsolutePath.StartsWith("/v1/", StringComparison.Ordinal)
            && !request.Headers.Contains(HttpMessageSigner.SignatureHeader) && request.Headers.Contains(HttpMessageSigner.RequestIdHeader))
        {
            await signer.SignAsync(request, cancellationToken);
        }

        return await base.SendAsync(request, cancellationToken);
    }
}
