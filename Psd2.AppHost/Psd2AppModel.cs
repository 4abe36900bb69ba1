using Psd2.AppHost.Hosting;
using Psd2.AppHost.Resources;

namespace Psd2.AppHost;

/// <summary>
/// The app model: which resources make up Psd2 and how they reference each other. <c>dotnet run</c> and the
/// test harness both start exactly this.
/// </summary>
public static class Psd2AppModel
{
    public static DistributedApplication Build(AppHostOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.WorkerReplicas, 1);
        var builder = new DistributedApplicationBuilder(options);
        var pki = builder.Pki;

        // External mode: connection strings given from outside mean no PostgreSQL or Redis of our own.
        var psd2db = builder.ExternalConnectionString("psd2db");
        var sandboxdb = builder.ExternalConnectionString("sandboxdb");
        if (psd2db is null || sandboxdb is null)
        {
            var postgres = builder.AddPostgres("postgres");
            psd2db ??= postgres.AddDatabase("psd2db");
            sandboxdb ??= postgres.AddDatabase("sandboxdb");
        }

        var redis = builder.ExternalConnectionString("redis") ?? builder.AddRedis("redis").Reference;

        var sandboxbank = builder.AddProject("sandboxbank", "Psd2.SandboxBank")
            .WithHttpsEndpoint("https", pki.BankTlsCertificate, pki.BankTlsKey, requireClientCertificate: true)
            .WithHttpsEndpoint("psu", pki.BankTlsCertificate, pki.BankTlsKey, requireClientCertificate: false)
            .WithHttpHealthCheck(builder, "psu")
            .WithReference(sandboxdb)
            .WithEnvironment("SandboxBank__Tls__TrustedCaPath", pki.CaCertificate);
        // The bank names its own hosts in links (the OAuth issuer, scaOAuth), so it is told how it is reached.
        sandboxbank
            .WithEnvironment("SandboxBank__PsuBaseUrl", sandboxbank.Endpoint("psu").ToString().TrimEnd('/'))
            .WithEnvironment("SandboxBank__TppBaseUrl", sandboxbank.Endpoint("https").ToString().TrimEnd('/'))
            .WithEnvironment("SandboxBank__Sandbox__AdminKey", builder.SandboxAdminKey)
            .WithEnvironment("SandboxBank__Sandbox__EnableTestClock", "true");

        // The migrator finishes before api and worker start, so they never see a half-migrated schema.
        var migrator = builder.AddProject("migrator", "Psd2.Migrator")
            .WithReference(psd2db);
        migrator.RunsToCompletion = true;

        Resource Service(string name, string project) => builder.AddProject(name, project)
            .WithHttpEndpoint()
            .WithHttpHealthCheck(builder, "http")
            .WithReference(psd2db)
            .WithReference(redis)
            .WithReference(sandboxbank)
            .WithTppCertificates(pki)
            .WithEnvironment("Tokens__EncryptionKey", builder.TokenEncryptionKey)
            .WaitForCompletion(migrator)
            .WithServiceSettings(options);

        var api = Service("api", "Psd2.Api");
        // Banks send end users' browsers back to the api, so it must know its own address.
        api.WithEnvironment("Api__PublicBaseUrl", api.Endpoint("http").ToString().TrimEnd('/'));
        // Replicas share one Quartz cluster and the refresh claims in psd2db.
        for (var replica = 1; replica <= options.WorkerReplicas; replica++)
        {
            Service(replica == 1 ? "worker" : $"worker-{replica}", "Psd2.Worker");
        }

        return builder.Build();
    }

    private static Resource WithServiceSettings(this Resource resource, AppHostOptions options)
    {
        if (options.TestClock)
        {
            resource.WithEnvironment("TestClock__Enabled", "true");
        }

        foreach (var (name, value) in options.ServiceSettings)
        {
            resource.WithEnvironment(name, value);
        }

        return resource;
    }

    /// <summary>The platform's identity towards banks: its QWAC for mutual TLS, its QSealC for signatures, and the CA it trusts.</summary>
    private static Resource WithTppCertificates(this Resource resource, Pki.SandboxPkiFiles pki) => resource
        .WithEnvironment("Tpp__QwacCertificatePath", pki.TppQwacCertificate)
        .WithEnvironment("Tpp__QwacKeyPath", pki.TppQwacKey)
        .WithEnvironment("Tpp__QsealCertificatePath", pki.TppQsealCertificate)
        .WithEnvironment("Tpp__QsealKeyPath", pki.TppQsealKey)
        .WithEnvironment("Tpp__TrustedCaPath", pki.CaCertificate);
}
