using System.Text;
using Psd2.SandboxBank.Signing;

namespace Psd2.SandboxBank.Tests.Signing;

/// <summary>
/// Malformed signature headers, random and hand-picked: the verifier must refuse each as SIGNATURE_INVALID and never
/// throw, since every header is in the hands of whoever sends the request.
/// </summary>
public sealed class SignatureHeaderFuzzTests(SigningCertificates certificates) : IClassFixture<SigningCertificates>
{
    // Fixed, so a failure reproduces; the case index is in the assertion message.
    private const int Seed = 20220706;
    private const int RandomCases = 400;

    private const string Structural = "\"=, \t\r\n\\;:()";

    private readonly HttpSignatureVerifier _verifier = new(certificates.Ca, TimeProvider.System);

    public static TheoryData<string> HandPickedSignatureHeaders() =>
    [
        ",",
        "=",
        "\"",
        "keyId",
        "keyId=",
        "keyId=\"",
        "keyId=\"\"",
        "keyId=\"a\",",
        "keyId=\"a\" algorithm=\"rsa-sha256\"",
        "=\"value\"",
        "keyId=SN=1,CA=CN=x,algorithm=rsa-sha256,headers=digest,signature=AAAA",
        "keyId='SN=1,CA=CN=x',algorithm='rsa-sha256',headers='digest x-request-id',signature='AAAA'",
        "Signature keyId=\"SN=1,CA=CN=x\",algorithm=\"rsa-sha256\",headers=\"digest x-request-id\",signature=\"AAAA\"",
        "keyId=\"SN=1,CA=CN=x\",algorithm=\"rsa-sha256\",headers=\"digest x-request-id\",signature=\"\"",
        "keyId=\"SN=1,CA=CN=x\",algorithm=\"rsa-sha256\",headers=\"digest x-request-id\",signature=\"!!!!\"",
        "keyId=\"SN=1,CA=CN=x\",algorithm=\"rsa-sha256\",headers=\"digest x-request-id\",signature=\"====\"",
        "keyId=\"SN=1,CA=CN=x\",algorithm=\"rsa-sha256\",headers=\"digest x-request-id\",signature=\"A\"",
        "keyId=\"SN=1,CA=CN=x\",algorithm=\"rsa-sha256\",headers=\"\",signature=\"AAAA\"",
        "keyId=\"SN=1,CA=CN=x\",algorithm=\"rsa-sha256\",headers=\"digest x-request-id (created)\",signature=\"AAAA\"",
        "keyId=\"SN=1,CA=CN=x\",algorithm=\"rsa-sha256\",headers=\"digest digest x-request-id\",signature=\"AAAA\"",
        "keyId=\"SN=1,CA=CN=x\",keyId=\"SN=2,CA=CN=y\",algorithm=\"rsa-sha256\",headers=\"digest x-request-id\",signature=\"AAAA\"",
        "keyId=\"SN=1,CA=CN=x\",algorithm=\"rsa-sha256\",headers=\"digest x-request-id\",signature=\"AAAA\",signature=\"BBBB\"",
        "keyId=\"SN=1,CA=CN=x\",headers=\"digest x-request-id\",signature=\"AAAA\"",
        "algorithm=\"rsa-sha256\",headers=\"digest x-request-id\",signature=\"AAAA\"",
        "keyId=\"SN=1,CA=CN=x\",algorithm=\"rsa-sha256\",headers=\"digest x-request-id\"",
        "keyId=\"SN=\u00e9,CA=CN=\u202e\u0000\",algorithm=\"rsa-sha256\",headers=\"digest x-request-id\",signature=\"AAAA\"",
        "keyId=\"SN=1,CA=CN=x\",algorithm=\"rsa-sha256\",headers=\"digest x-request-id\",signature=\"AAAA\"\u0000",
        new string('a', 1_000_000),
        "keyId=\"" + new string('A', 1_000_000) + "\"",
        "keyId=\"SN=1,CA=CN=x\",algorithm=\"rsa-sha256\",headers=\"" + string.Join(' ', Enumerable.Repeat("x-request-id", 5000)) + "\",signature=\"AAAA\"",
        "keyId=\"SN=1,CA=CN=x\",algorithm=\"rsa-sha256\",headers=\"" + string.Join(' ', Enumerable.Range(0, 200).Select(i => $"h{i}")) + "\",signature=\"AAAA\"",
        string.Concat(Enumerable.Repeat("a=\"b\",", 2000)) + "c=\"d\"",
    ];

    [Theory]
    [MemberData(nameof(HandPickedSignatureHeaders))]
    public async Task A_hand_picked_malformed_Signature_header_is_refused_as_invalid(string signature)
    {
        var request = await ValidRequestAsync();

        AssertInvalid(_verifier.Verify(request.WithHeader("Signature", signature), SigningCertificates.TppOrganizationId), signature);
    }

    [Fact]
    public async Task Random_Signature_headers_are_refused_as_invalid_without_throwing()
    {
        var request = await ValidRequestAsync();
        var valid = request.Header("Signature");
        var issuer = IssuerRange(valid);
        var random = new Random(Seed);

        for (var i = 0; i < RandomCases; i++)
        {
            var signature = (i % 4) switch
            {
                0 => RandomText(random, random.Next(0, 300)),
                1 => Mutate(random, valid, issuer),
                2 => Truncate(random, valid),
                _ => WithRandomParameter(random, valid),
            };

            var error = _verifier.Verify(request.WithHeader("Signature", signature), SigningCertificates.TppOrganizationId);
            if (string.IsNullOrWhiteSpace(signature))
            {
                Assert.Equal(SignatureError.SignatureMissing, error?.Code);
            }
            else
            {
                AssertInvalid(error, $"case {i}: {signature}");
            }
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("\t")]
    public async Task A_blank_Signature_header_counts_as_missing(string signature)
    {
        var request = await ValidRequestAsync();

        Assert.Equal(
            SignatureError.SignatureMissing,
            _verifier.Verify(request.WithHeader("Signature", signature), SigningCertificates.TppOrganizationId)?.Code);
    }

    [Fact]
    public async Task Random_keyIds_are_refused_as_invalid_without_throwing()
    {
        var request = await ValidRequestAsync();
        var valid = request.SignatureParameter("keyId");
        var issuer = IssuerRange(valid);
        var random = new Random(Seed + 1);

        for (var i = 0; i < RandomCases / 2; i++)
        {
            // No quote, or the keyId would end early and the parser, not the keyId check, would be what is tested.
            var keyId = (i % 2 == 0 ? Mutate(random, valid, issuer) : "SN=" + RandomText(random, random.Next(0, 80))).Replace("\"", "", StringComparison.Ordinal);
            if (keyId == valid)
            {
                continue;
            }

            AssertInvalid(_verifier.Verify(request.WithSignatureParameter("keyId", keyId), SigningCertificates.TppOrganizationId), $"case {i}: {keyId}");
        }
    }

    [Fact]
    public async Task Random_Digest_and_certificate_headers_are_refused_as_invalid_without_throwing()
    {
        var request = await ValidRequestAsync();
        var digest = request.Header("Digest");
        var certificate = request.Header("TPP-Signature-Certificate");
        var random = new Random(Seed + 2);

        for (var i = 0; i < RandomCases / 2; i++)
        {
            var badDigest = i % 2 == 0 ? "SHA-256=" + RandomText(random, random.Next(0, 200)) : Mutate(random, digest);
            AssertInvalid(_verifier.Verify(request.WithHeader("Digest", badDigest), SigningCertificates.TppOrganizationId), $"digest case {i}: {badDigest}");

            var badCertificate = i % 2 == 0 ? Convert.ToBase64String(RandomBytes(random, random.Next(1, 3000))) : Mutate(random, certificate);
            AssertInvalid(
                _verifier.Verify(request.WithHeader("TPP-Signature-Certificate", badCertificate), SigningCertificates.TppOrganizationId),
                $"certificate case {i}");
        }
    }

    [Fact]
    public async Task A_certificate_with_a_corrupted_DER_byte_is_refused_as_invalid()
    {
        var request = await ValidRequestAsync();
        var der = certificates.QsealC.RawData;
        var random = new Random(Seed + 3);

        for (var i = 0; i < 100; i++)
        {
            var corrupted = (byte[])der.Clone();
            corrupted[random.Next(corrupted.Length)] ^= (byte)random.Next(1, 256);
            AssertInvalid(
                _verifier.Verify(request.WithHeader("TPP-Signature-Certificate", Convert.ToBase64String(corrupted)), SigningCertificates.TppOrganizationId),
                $"case {i}");
        }
    }

    [Fact]
    public async Task Huge_headers_are_refused_as_invalid()
    {
        var request = await ValidRequestAsync();
        var huge = new string('A', 4_000_000);

        AssertInvalid(_verifier.Verify(request.WithHeader("Digest", "SHA-256=" + huge), SigningCertificates.TppOrganizationId), "Digest");
        AssertInvalid(_verifier.Verify(request.WithHeader("TPP-Signature-Certificate", huge), SigningCertificates.TppOrganizationId), "certificate");
        AssertInvalid(_verifier.Verify(request.WithSignatureParameter("signature", huge), SigningCertificates.TppOrganizationId), "signature");
    }

    private Task<SignedRequest> ValidRequestAsync() => SignedRequests.SignAsync(SignedRequests.ConsentRequest(), certificates.QsealC);

    private static void AssertInvalid(SignatureError? error, string input)
    {
        Assert.True(error is not null, $"Accepted: {Shorten(input)}");
        Assert.True(error.Code == SignatureError.SignatureInvalid, $"{error.Code} for: {Shorten(input)}");
    }

    private static string Shorten(string input) => input.Length > 200 ? input[..200] + "..." : input;

    private static string RandomText(Random random, int length)
    {
        var builder = new StringBuilder(length);
        for (var i = 0; i < length; i++)
        {
            builder.Append(random.Next(5) switch
            {
                0 => Structural[random.Next(Structural.Length)],
                1 => (char)random.Next(0, 0x20),
                2 => (char)random.Next(0x80, 0xD7FF),
                _ => (char)random.Next(0x20, 0x7F),
            });
        }

        return builder.ToString();
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    // Inserts a structural character or replaces a character by one; either breaks the quoting, the parameter list or
    // a value. The keyId's CA name is spared: it is compared as a distinguished name, where a comma for ", " or a
    // trailing separator still names the same CA (that leniency has its own tests).
    private static string Mutate(Random random, string value, Range spared = default)
    {
        var (sparedStart, sparedLength) = spared.Equals(default(Range)) ? (0, 0) : spared.GetOffsetAndLength(value.Length);
        var position = random.Next(value.Length - sparedLength);
        if (position >= sparedStart)
        {
            position += sparedLength;
        }

        position = Math.Min(position, value.Length - 1);
        var character = "\"=,"[random.Next(3)].ToString();
        var replaced = value.Remove(position, 1).Insert(position, character);
        return random.Next(2) == 0 || replaced == value ? value.Insert(position, character) : replaced;
    }

    /// <summary>
    /// Where the CA name inside a keyId, or a Signature header containing one, starts and ends; in a header including
    /// the closing quote, since inserting before it would append to the name.
    /// </summary>
    private static Range IssuerRange(string value)
    {
        var start = value.IndexOf(",CA=", StringComparison.Ordinal) + 4;
        var end = value.IndexOf('"', start);
        return start..(end < 0 ? value.Length : end + 1);
    }

    private static string Truncate(Random random, string value) => value[..random.Next(value.Length)];

    private static string WithRandomParameter(Random random, string value)
    {
        string[] names = ["keyId", "algorithm", "headers", "signature"];
        var name = names[random.Next(names.Length)];
        var start = value.IndexOf(name + "=\"", StringComparison.Ordinal) + name.Length + 2;
        var end = value.IndexOf('"', start);
        var replacement = name == "signature" ? Convert.ToBase64String(RandomBytes(random, random.Next(1, 512))) : RandomText(random, random.Next(0, 60)).Replace("\"", "", StringComparison.Ordinal);
        return value[..start] + replacement + value[end..];
    }
}
