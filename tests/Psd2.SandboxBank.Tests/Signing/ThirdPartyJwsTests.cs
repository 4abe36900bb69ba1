using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Psd2.Core.Banking;
using Psd2.IntegrationTests.Harness;

namespace Psd2.SandboxBank.Tests.Signing;

/// <summary>
/// The platform's JWS (the signed request objects of UK Open Banking authorisations) judged by jose, a third-party
/// implementation (through tests/tools/jws.mjs): PS256 with the QSealC, its certificate in <c>x5c</c> issued by the
/// trusted CA, the claims as signed; a changed payload or a foreign CA fails.
/// </summary>
public sealed class ThirdPartyJwsTests(SigningCertificates certificates) : IClassFixture<SigningCertificates>, IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("jws-");

    [Fact]
    public async Task A_request_object_verifies_with_jose_with_its_claims()
    {
        var jws = RequestObject();

        var result = await VerifyAsync(jws, certificates.Ca.ExportCertificatePem());

        Assert.True(result.ExitCode == 0, result.Stdout + result.Stderr);
        var verdict = JsonDocument.Parse(result.Stdout).RootElement;
        Assert.Equal(("PS256", "oauth-authz-req+jwt"), (verdict.GetProperty("alg").GetString(), verdict.GetProperty("typ").GetString()));
        // The certificate jose verified with is the QSealC that signed.
        Assert.Contains("CN=" + certificates.QsealC.GetNameInfo(X509NameType.SimpleName, false), verdict.GetProperty("subject").GetString(), StringComparison.Ordinal);
        Assert.Equal(("state-1", "urn-c-1"), (verdict.GetProperty("claims").GetProperty("state").GetString(),
            verdict.GetProperty("claims").GetProperty("claims").GetProperty("id_token").GetProperty("openbanking_intent_id").GetProperty("value").GetString()));
    }

    [Theory]
    [InlineData("payload", "ERR_JWS_SIGNATURE_VERIFICATION_FAILED")]
    [InlineData("ca", "x5c is not issued by the CA")]
    public async Task A_changed_request_object_or_an_untrusted_issuer_fails_with_jose(string tampered, string reason)
    {
        var jws = RequestObject();
        var parts = jws.Split('.');
        if (tampered == "payload")
        {
            var claims = JsonDocument.Parse(Convert.FromBase64String(Pad(parts[1].Replace('-', '+').Replace('_', '/')))).RootElement.GetRawText();
            parts[1] = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(claims.Replace("state-1", "state-2", StringComparison.Ordinal)))
                .TrimEnd('=').Replace('+', '-').Replace('/', '_');
        }

        var result = await VerifyAsync(string.Join('.', parts), (tampered == "ca" ? certificates.ForeignCa : certificates.Ca).ExportCertificatePem());

        Assert.True(result.ExitCode == 1, result.Stdout + result.Stderr);
        Assert.Contains(reason, JsonDocument.Parse(result.Stdout).RootElement.GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    private string RequestObject()
    {
        var now = DateTimeOffset.UtcNow;
        return new RequestSigners(certificates.QsealC, TimeProvider.System).Jws("oauth-authz-req+jwt", new Dictionary<string, object>
        {
            ["iss"] = SigningCertificates.TppOrganizationId,
            ["state"] = "state-1",
            ["claims"] = new Dictionary<string, object>
            {
                ["id_token"] = new Dictionary<string, object> { ["openbanking_intent_id"] = new Dictionary<string, object> { ["value"] = "urn-c-1", ["essential"] = true } },
            },
        }, now, now.AddMinutes(30));
    }

    private async Task<NodeResult> VerifyAsync(string jws, string caPem)
    {
        var (jwsFile, caFile) = (Path.Combine(_folder.FullName, Guid.NewGuid() + ".jws"), Path.Combine(_folder.FullName, Guid.NewGuid() + ".pem"));
        await File.WriteAllTextAsync(jwsFile, jws);
        await File.WriteAllTextAsync(caFile, caPem);
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        return await NodeTool.RunAsync("jws.mjs", ["verify", "--jws", jwsFile, "--ca", caFile], deadline.Token);
    }

    private static string Pad(string base64) => base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '=');

    public void Dispose() => _folder.Delete(recursive: true);
}
