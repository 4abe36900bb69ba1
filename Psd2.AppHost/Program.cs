using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Psd2.AppHost;

// `dotnet run --project Psd2.AppHost` starts the whole app under DCP with the Aspire dashboard; Ctrl+C stops all of it.
var builder = DistributedApplication.CreateBuilder(args);
var state = StateFolder.Open(builder);
builder.Services.AddSingleton(state);
builder.Services.AddHostedService<ResourcesFile>();

var databases = builder.AddPostgresDatabases("postgres", state, "psd2db", "sandboxdb", "ukbankdb", "stetbankdb");
var (psd2db, sandboxdb, ukbankdb, stetbankdb) = (databases[0], databases[1], databases[2], databases[3]);
var redis = builder.AddRedisServer("redis", state);
var tokenKey = builder.AddParameter("token-encryption-key", state.Secret(StateFolder.TokenEncryptionKeyFile), secret: true);
var sandboxAdminKey = builder.AddParameter("sandbox-admin-key", state.Secret(StateFolder.SandboxAdminKeyFile), secret: true);
var jobsOperator = builder.AddParameter("jobs-operator-password", state.Secret(StateFolder.JobsOperatorPasswordFile), secret: true);
var jobsViewer = builder.AddParameter("jobs-viewer-password", state.Secret(StateFolder.JobsViewerPasswordFile), secret: true);

// The simulated banks, one per standard: a Swedish Berlin Group bank, a British UK Open Banking one and a French STET
// one. The same seeded money in each; the country names the accounts (IBANs) and the currency kronor are shown in.
var sandboxbank = builder.AddSandboxBank("sandboxbank", "berlin-group", sandboxdb, state, sandboxAdminKey);
var ukbank = builder.AddSandboxBank("ukbank", "uk-open-banking", ukbankdb, state, sandboxAdminKey)
    .WithEnvironment("SandboxBank__TimeZone", "Europe/London")
    .WithEnvironment("SandboxBank__Country", "GB");
var stetbank = builder.AddSandboxBank("stetbank", "stet", stetbankdb, state, sandboxAdminKey)
    .WithEnvironment("SandboxBank__TimeZone", "Europe/Paris")
    .WithEnvironment("SandboxBank__Country", "FR");

// The migrator finishes before api and worker start, so they never see a half-migrated schema.
var migrator = builder.AddService<Projects.Psd2_Migrator>("migrator")
    .WithReference(psd2db).WaitFor(psd2db);

IResourceBuilder<ServiceResource> Platform<TProject>(string name) where TProject : IProjectMetadata, new() =>
    builder.AddService<TProject>(name)
        .WithKestrelHttpEndpoint()
        .WithReference(psd2db).WaitFor(psd2db)
        .WithReference(redis).WaitFor(redis)
        .WithReference(sandboxbank)
        .WithReference(ukbank)
        .WithReference(stetbank)
        .WithTokenEncryptionKey(tokenKey)
        .WaitForCompletion(migrator);

var api = Platform<Projects.Psd2_Api>("api")
    .WithUrlForEndpoint("http", url => url.DisplayText = "API");
// The api publishes the QSealC that api and workers sign with, where STET banks fetch it.
api.WithTppCertificates(state, api.GetEndpoint("http"));
api.WithUrl(ReferenceExpression.Create($"{api.GetEndpoint("http")}/swagger"), "Swagger UI")
    // Banks send end users' browsers back to the api, so it must know its own address.
    .WithEnvironment("Api__PublicBaseUrl", api.GetEndpoint("http"));
// STET has no consent resource to carry the redirect URI: the TPP registers it with the bank beforehand.
stetbank.WithEnvironment("SandboxBank__RedirectUris__0", ReferenceExpression.Create($"{api.GetEndpoint("http")}/connect/callback"));

// Replicas share Hangfire's storage and the refresh claims in psd2db (AppHost:WorkerReplicas, default 1). Each serves
// Hangfire's dashboard to operators (user "operator", may trigger) and viewers (user "viewer"): passwords in the state folder.
for (var replica = 1; replica <= builder.Configuration.GetValue("AppHost:WorkerReplicas", 1); replica++)
{
    var worker = Platform<Projects.Psd2_Worker>(replica == 1 ? "worker" : $"worker-{replica}")
        .WithTppCertificates(state, api.GetEndpoint("http"))
        .WithEnvironment("Worker__Dashboard__OperatorPassword", jobsOperator)
        .WithEnvironment("Worker__Dashboard__ViewerPassword", jobsViewer);
    worker.WithUrl(ReferenceExpression.Create($"{worker.GetEndpoint("http")}/hangfire"), "Jobs (Hangfire)");
}

builder.Build().Run();
