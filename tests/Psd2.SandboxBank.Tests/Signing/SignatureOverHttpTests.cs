using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Psd2.Core.Banking;
using Psd2.SandboxBank.Signing;

namespace Psd2.SandboxBank.Tests.Signing;

/// <summary>
/// The signature survives the wire: what HttpClient sends (header formatting, joined values, the buffered body) is
/// what the signer signed.
/// </summary>
public sealed class SignatureOverHttpTests(SigningCertificates certificates) : IClassFixture<SigningCertificates>
{
    [Fact]
    public async Task A_request_signed_by_the_platform_verifies_when_received_over_HTTP()
    {
        var verifier = new HttpSignatureVerifier(certificates.Ca, TimeProvider.System);
        // The temp folder as content root keeps appsettings.json files copied in from referenced projects out.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = Path.GetTempPath() });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var app = builder.Build();
        app.Run(async context =>
        {
            var request = await ReceiveAsync(context);
            var error = verifier.Verify(request, SigningCertificates.TppOrganizationId);
            await context.Response.WriteAsync(error is null ? "valid" : $"{error.Code}: {error.Text}", context.RequestAborted);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();

        using var client = new HttpClient { BaseAddress = new Uri(address) };
        var signer = new HttpMessageSigner(certificates.QsealC);
        foreach (var message in new[] { SignedRequests.AccountListRequest(), SignedRequests.ConsentRequest() })
        {
            message.RequestUri = new Uri(client.BaseAddress, message.RequestUri!.PathAndQuery);
            await signer.SignAsync(message, CancellationToken.None);
            using var response = await client.SendAsync(message);

            Assert.Equal("valid", await response.Content.ReadAsStringAsync());
        }

        await app.StopAsync();
    }

    // How a bank builds a SignedRequest from ASP.NET Core: the raw request target, repeated headers joined by ", ".
    private static async Task<SignedRequest> ReceiveAsync(HttpContext context)
    {
        var headers = context.Request.Headers.ToDictionary(header => header.Key, header => string.Join(", ", header.Value.ToArray()), StringComparer.OrdinalIgnoreCase);
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, context.RequestAborted);
        var target = context.Features.GetRequiredFeature<IHttpRequestFeature>().RawTarget;
        return new SignedRequest(context.Request.Method, target, headers, body.ToArray());
    }
}
