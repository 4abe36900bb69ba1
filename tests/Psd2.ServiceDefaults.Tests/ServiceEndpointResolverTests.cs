using Microsoft.Extensions.Configuration;
using Psd2.ServiceDefaults.ServiceDiscovery;

namespace Psd2.ServiceDefaults.Tests;

public sealed class ServiceEndpointResolverTests
{
    private readonly ServiceEndpointResolver _resolver = new(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["services:sandboxbank:https:0"] = "https://localhost:7443",
        ["services:sandboxbank:psu:0"] = "https://localhost:7444",
        ["services:api:http:0"] = "http://127.0.0.1:5080",
    }).Build());

    [Fact]
    public void SchemeNamesTheEndpointAndPathAndQueryAreKept()
    {
        var resolved = _resolver.TryResolve(new Uri("https://sandboxbank/v1/accounts?withBalance=true"));

        Assert.Equal(new Uri("https://localhost:7443/v1/accounts?withBalance=true"), resolved);
    }

    [Fact]
    public void SchemeListFallsBackToTheNextEndpoint()
    {
        Assert.Equal(new Uri("http://127.0.0.1:5080/info"), _resolver.TryResolve(new Uri("https+http://api/info")));
    }

    [Fact]
    public void UnderscorePrefixSelectsANamedEndpoint()
    {
        Assert.Equal(new Uri("https://localhost:7444/consents/1"), _resolver.TryResolve(new Uri("https://_psu.sandboxbank/consents/1")));
    }

    [Fact]
    public void AddressOfAnUnknownServiceIsLeftAlone()
    {
        Assert.Null(_resolver.TryResolve(new Uri("https://example.org/path")));
    }

    [Fact]
    public void KnownServiceWithoutTheEndpointNamesTheMissingVariable()
    {
        var error = Assert.Throws<InvalidOperationException>(() => _resolver.TryResolve(new Uri("http://sandboxbank/")));

        Assert.Contains("services__sandboxbank__http__0", error.Message, StringComparison.Ordinal);
    }
}
