using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Psd2.Core.Banking;

namespace Psd2.Core.Tests.Banking;

/// <summary>The banks on offer are built in once for api and worker, and every configuration source above them can change them.</summary>
public sealed class InstitutionOptionsTests
{
    [Fact]
    public void TheBuiltInBanksAreOneOfEachStandard()
    {
        var banks = Institutions();

        Assert.Equal(["sandboxbank berlin-group SE", "stetbank stet FR", "ukbank uk-open-banking GB"],
            banks.Select(b => $"{b.Key} {b.Value.Standard} {b.Value.Country}").Order(StringComparer.Ordinal));
        Assert.All(banks.Values, b => Assert.Equal(b.Standard != InstitutionStandard.UkOpenBanking, b.RequiresSignature));
    }

    [Fact]
    public void ConfigurationAboveChangesABankAndAddsAnother()
    {
        var banks = Institutions(new Dictionary<string, string?>
        {
            ["Institutions:Banks:stetbank:MaxHistoryDays"] = "90",
            ["Institutions:Banks:other:Name"] = "Other",
            ["Institutions:Banks:other:Country"] = "FR",
            ["Institutions:Banks:other:Standard"] = "stet",
            ["Institutions:Banks:other:ScaApproaches:0"] = "redirect",
            ["Institutions:Banks:other:MaxConsentDays"] = "90",
            ["Institutions:Banks:other:MaxHistoryDays"] = "90",
            ["Institutions:Banks:other:Service"] = "other",
        });

        Assert.Equal(90, banks["stetbank"].MaxHistoryDays);
        Assert.Equal(730, banks["sandboxbank"].MaxHistoryDays);
        Assert.Equal("Other", banks["other"].Name);
    }

    private static Dictionary<string, Institution> Institutions(Dictionary<string, string?>? above = null)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(above ?? []);
        builder.AddInstitutionOptions();
        using var services = builder.Build();
        return services.Services.GetRequiredService<IOptions<InstitutionOptions>>().Value.Banks;
    }
}
