using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Psd2.SandboxPki;

namespace Psd2.SandboxBank.Tests.Payments;

[CollectionDefinition(Name)]
public sealed class BerlinGroupBankCollection : ICollectionFixture<BerlinGroupBank>
{
    public const string Name = "Berlin Group bank";
}

/// <summary>
/// The sandbox bank in its default standard (Berlin Group NextGenPSD2). The AIS profile does not ask for signatures,
/// so what is signed is signed because payments must be. Its tests run one after another, so a test may switch a
/// fault or the profile.
/// </summary>
public sealed class BerlinGroupBank : InProcessSandboxBank
{
    public BerlinGroupBank()
        : base("berlin-group")
    {
        AccountInformationOnly = IssueTpp(SandboxCertificates.Tpp with { Roles = [PspRole.PspAi] });
    }

    /// <summary>The same TPP with certificates that carry PSP_AI only; <see cref="InProcessSandboxBank.Tpp"/> has PSP_AI and PSP_PI.</summary>
    public TppCertificates AccountInformationOnly { get; }

    protected override IReadOnlyDictionary<string, string> StandardSettings { get; } = new Dictionary<string, string>
    {
        ["SandboxBank:RequireSignature"] = "false",
    };

    /// <summary>A PSU of its own for a test, with two accounts and two years of history; <paramref name="decoupled"/> is its BankID app's behaviour.</summary>
    public async Task<TestPsu> CreatePsuAsync(CancellationToken cancellationToken, string decoupled = "ApproveAfterDelay")
    {
        var psu = await PostPsuAsync(new { accounts = 2, decoupled }, cancellationToken);
        var account = psu.GetProperty("accounts")[0];
        return new TestPsu(psu.GetProperty("personalNumber").GetString()!, account.GetProperty("resourceId").GetString()!,
            account.GetProperty("iban").GetString()!, account.GetProperty("currency").GetString()!);
    }

    /// <summary>The bank's business day, which the test clock may have moved ahead of the calendar.</summary>
    public async Task<DateOnly> TodayAsync(CancellationToken cancellationToken)
    {
        using var admin = Admin();
        var clock = await admin.GetFromJsonAsync<JsonElement>("/sandbox/clock", cancellationToken);
        return DateOnly.Parse(clock.GetProperty("today").GetString()!, CultureInfo.InvariantCulture);
    }

    public async Task AdvanceClockAsync(int days, CancellationToken cancellationToken)
    {
        using var admin = Admin();
        using var response = await admin.PostAsJsonAsync("/sandbox/clock/advance", new { days }, cancellationToken);
        response.EnsureSuccessStatusCode();
    }
}

/// <summary>A test's own PSU and the account it pays from.</summary>
public sealed record TestPsu(string PersonalNumber, string AccountId, string Iban, string Currency);
