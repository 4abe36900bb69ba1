using System.Text;
using Psd2.Core.Webhooks;

namespace Psd2.Core.Tests.Webhooks;

/// <summary>The signature receivers check: HMAC-SHA256 over "&lt;timestamp&gt;.&lt;body&gt;", refused for any change.</summary>
public sealed class WebhookSignatureTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 4, 12, 0, 0, TimeSpan.Zero);
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("""{"id":"0193a1b2-0000-7000-8000-000000000001","type":"connection.active","data":{"status":"active"}}""");
    private readonly string _secret = WebhookSignature.NewSecret();

    [Fact]
    public void ASignedDeliveryVerifies()
    {
        var timestamp = WebhookSignature.Timestamp(Now);
        var header = WebhookSignature.Header([_secret], timestamp, Body);

        Assert.Matches("^v1=[0-9a-f]{64}$", header);
        Assert.True(WebhookSignature.Verify(_secret, header, timestamp, Body, Now));
    }

    [Fact]
    public void TheSignatureIsTheHmacOfTimestampDotBody()
    {
        var timestamp = WebhookSignature.Timestamp(Now);
        using var hmac = new System.Security.Cryptography.HMACSHA256(Encoding.UTF8.GetBytes(_secret));
        var expected = Convert.ToHexStringLower(hmac.ComputeHash([.. Encoding.UTF8.GetBytes(timestamp + "."), .. Body]));

        Assert.Equal("v1=" + expected, WebhookSignature.Header([_secret], timestamp, Body));
    }

    [Fact]
    public void ATamperedBodyDoesNotVerify()
    {
        var timestamp = WebhookSignature.Timestamp(Now);
        var header = WebhookSignature.Header([_secret], timestamp, Body);
        var tampered = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(Body).Replace("active\"}", "revoked\"}", StringComparison.Ordinal));
        var oneByte = (byte[])Body.Clone();
        oneByte[^2] ^= 1;

        Assert.False(WebhookSignature.Verify(_secret, header, timestamp, tampered, Now));
        Assert.False(WebhookSignature.Verify(_secret, header, timestamp, oneByte, Now));
        Assert.False(WebhookSignature.Verify(_secret, header, timestamp, Body.AsSpan(0, Body.Length - 1), Now));
    }

    [Fact]
    public void ATamperedTimestampDoesNotVerify()
    {
        var timestamp = WebhookSignature.Timestamp(Now);
        var header = WebhookSignature.Header([_secret], timestamp, Body);
        var later = WebhookSignature.Timestamp(Now.AddSeconds(1));

        Assert.False(WebhookSignature.Verify(_secret, header, later, Body, Now));
        Assert.False(WebhookSignature.Verify(_secret, header, timestamp + "0", Body, Now));
        Assert.False(WebhookSignature.Verify(_secret, header, null, Body, Now));
        Assert.False(WebhookSignature.Verify(_secret, header, "-" + timestamp, Body, Now));
    }

    [Fact]
    public void AnotherSecretAMissingOrForgedHeaderDoesNotVerify()
    {
        var timestamp = WebhookSignature.Timestamp(Now);
        var header = WebhookSignature.Header([_secret], timestamp, Body);

        Assert.False(WebhookSignature.Verify(WebhookSignature.NewSecret(), header, timestamp, Body, Now));
        Assert.False(WebhookSignature.Verify(_secret, null, timestamp, Body, Now));
        Assert.False(WebhookSignature.Verify(_secret, "", timestamp, Body, Now));
        Assert.False(WebhookSignature.Verify(_secret, header.Replace("v1=", "v0=", StringComparison.Ordinal), timestamp, Body, Now));
        Assert.False(WebhookSignature.Verify(_secret, "v1=" + new string('0', 64), timestamp, Body, Now));
    }

    [Fact]
    public void AnOldOrFutureTimestampIsRefusedAsAReplay()
    {
        var old = WebhookSignature.Timestamp(Now.AddMinutes(-6));
        var future = WebhookSignature.Timestamp(Now.AddMinutes(6));

        Assert.False(WebhookSignature.Verify(_secret, WebhookSignature.Header([_secret], old, Body), old, Body, Now));
        Assert.False(WebhookSignature.Verify(_secret, WebhookSignature.Header([_secret], future, Body), future, Body, Now));
        Assert.True(WebhookSignature.Verify(_secret, WebhookSignature.Header([_secret], old, Body), old, Body, Now, TimeSpan.FromMinutes(10)));
    }

    [Fact]
    public void DuringARotationEitherSecretVerifies()
    {
        var previous = WebhookSignature.NewSecret();
        var timestamp = WebhookSignature.Timestamp(Now);
        var header = WebhookSignature.Header([_secret, previous], timestamp, Body);

        Assert.Equal(2, header.Split(',').Length);
        Assert.True(WebhookSignature.Verify(_secret, header, timestamp, Body, Now));
        Assert.True(WebhookSignature.Verify(previous, header, timestamp, Body, Now));
        Assert.False(WebhookSignature.Verify(WebhookSignature.NewSecret(), header, timestamp, Body, Now));
    }

    [Fact]
    public void SecretsAreRandomAndPrefixed()
    {
        var secrets = Enumerable.Range(0, 20).Select(_ => WebhookSignature.NewSecret()).ToList();

        Assert.All(secrets, s => Assert.Matches("^whsec_[A-Za-z0-9_-]{43}$", s));
        Assert.Equal(secrets.Count, secrets.Distinct().Count());
    }
}
