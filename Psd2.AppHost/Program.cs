using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Psd2.AppHost;

// `dotnet run --project Psd2.AppHost` starts the whole app under DCP with the Aspire dashboard; Ctrl+C stops all of it.
var builder = DistributedApplication.CreateBuilder(args);
var state = StateFolder.Open(builder);
builder.Services.AddSingleton(state);
builder.Services.AddHostedService<ResourcesFile>();

var databases = builder.AddPostgresDatabases("postgres", state, "psd2db", "sandboxdb");
var (psd2db, sandboxdb) = (databases[0], databases[1]);
var redis = builder.AddRedisServer("redis", state);
var tokenKey = builder.AddParameter("token-encryption-key", state.Secret(StateFolder.TokenEncryptionKeyFile), secret: true);
var sandboxAdminKey = builder.AddParameter("sandbox-admin-key", state.Secret(StateFolder.SandboxAdminKeyFile), secret: true);
var jobsOperator = builder.AddParameter("jobs-operator-password", state.Secret(StateFolder.JobsOperatorPasswordFile), secret: true);
var jobsViewer = builder.AddParameter("jobs-viewer-password", state.Secret(StateFolder.JobsViewerPasswordFile), secret: true);

// The simulated bank: mutual TLS for TPPs on `https`, the customer's pages on `psu`, as real banks keep them apart.
var sandboxbank = builder.AddService<Projects.Psd2_SandboxBank>("sandboxbank")
    .WithKestrelHttpsEndpoint("https", state.Pki.BankTlsCertificate, state.Pki.BankTlsKey, requireClientCertificate: true)
    .WithKestrelHttpsEndpoint("psu", state.Pki.BankTlsCertificate, state.Pki.BankTlsKey, requireClientCertificate: false)
    .WithHttpsHealthCheck("psu", state.Pki.CaCertificate)
    .WithReference(sandboxdb).WaitFor(sandboxdb)
    .WithEnvironment("SandboxBank__Tls__TrustedCaPath", state.Pki.CaCertificate)
    .WithEnvironment("SandboxBank__Sandbox__AdminKey", sandboxAdminKey)
    .WithEnvironment("SandboxBank__Sandbox__EnableTestClock", "true");
// The bank names its own hosts in links (the OAuth issuer, scaOAuth), so it is told how it is reached.
sandboxbank
    .WithUrl(ReferenceExpression.Create($"{sandboxbank.GetEndpoint("psu")}/psu/consents"), "PSU pages: consents")
    .WithEnvironment("SandboxBank__PsuBaseUrl", sandboxbank.GetEndpoint("psu"))
    .WithEnvironment("SandboxBank__TppBaseUrl", sandboxbank.GetEndpoint("https"));

// The migrator finishes before api and worker start, so they never see a half-migrated schema.
var migrator = builder.AddService<Projects.Psd2_Migrator>("migrator")
    .WithReference(psd2db).WaitFor(psd2db);

IResourceBuilder<ServiceResource> Platform<TProject>(string name) where TProject : IProjectMetadata, new() =>
    builder.AddService<TProject>(name)
        .WithKestrelHttpEndpoint()
        .WithReference(psd2db).WaitFor(psd2db)
        .WithReference(redis).WaitFor(redis)
        .WithReference(sandboxbank)
        .WithTppCertificates(state)
        .WithTokenEncryptionKey(tokenKey)
        .WaitForCompletion(migrator);

var api = Platform<Projects.Psd2_Api>("api")
    .WithUrlForEndpoint("http", url => url.DisplayText = "API");
api.WithUrl(ReferenceExpression.Create($"{api.GetEndpoint("http")}/swagger"), "Swagger UI")
    // Banks send end users' browsers back to the api, so it must know its own address.
    .WithEnvironment("Api__PublicBaseUrl", api.GetEndpoint("http"));

// Replicas share Hangfire's storage and the refresh claims in psd2db (AppHost:WorkerReplicas, default 1). Each serves
// Hangfire's dashboard to operators (user "operator", may trigger) and viewers (user "viewer"): passwords in the state folder.
for (var replica = 1; replica <= builder.Configuration.GetValue("AppHost:WorkerReplicas", 1); replica++)
{
    var worker = Platform<Projects.Psd2_Worker>(replica == 1 ? "worker" : $"worker-{replica}")
        .WithEnvironment("Worker__Dashboard__OperatorPassword", jobsOperator)
        .WithEnvironment("Worker__Dashboard__ViewerPassword", jobsViewer);
    worker.WithUrl(ReferenceExpression.Create($"{worker.GetEndpoint("http")}/hangfire"), "Jobs (Hangfire)");
}

builder.Build().Run();
