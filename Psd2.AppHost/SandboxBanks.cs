namespace Psd2.AppHost;

/// <summary>
/// The simulated banks: each a <c>Psd2.SandboxBank</c> instance speaking one standard over a database of its own, with
/// mutual TLS for TPPs on <c>https</c> and the customer's pages on <c>psu</c>, as real banks keep them apart.
/// </summary>
public static class SandboxBanks
{
    public static IResourceBuilder<ServiceResource> AddSandboxBank(
        this IDistributedApplicationBuilder builder, string name, string standard, IResourceBuilder<IResourceWithConnectionString> database,
        StateFolder state, IResourceBuilder<ParameterResource> adminKey)
    {
        var bank = builder.AddService<Projects.Psd2_SandboxBank>(name)
            .WithKestrelHttpsEndpoint("https", state.Pki.BankTlsCertificate, state.Pki.BankTlsKey, requireClientCertificate: true)
            .WithKestrelHttpsEndpoint("psu", state.Pki.BankTlsCertificate, state.Pki.BankTlsKey, requireClientCertificate: false)
            .WithHttpsHealthCheck("psu", state.Pki.CaCertificate)
            // Every instance knows its database by the one name the bank's code uses.
            .WithReference(database, connectionName: "sandboxdb").WaitFor(database)
            .WithEnvironment("SandboxBank__Standard", standard)
            .WithEnvironment("SandboxBank__Tls__TrustedCaPath", state.Pki.CaCertificate)
            .WithEnvironment("SandboxBank__Sandbox__AdminKey", adminKey)
            .WithEnvironment("SandboxBank__Sandbox__EnableTestClock", "true");
        // The bank names its own hosts in links (the OAuth issuer, scaOAuth, Links.Next), so it is told how it is reached.
        return bank
            .WithUrl(ReferenceExpression.Create($"{bank.GetEndpoint("psu")}/psu/consents"), "PSU pages: consents")
            .WithEnvironment("SandboxBank__PsuBaseUrl", bank.GetEndpoint("psu"))
            .WithEnvironment("SandboxBank__TppBaseUrl", bank.GetEndpoint("https"));
    }
}
