using System.Text.Json;
using Psd2.AppHost.Dashboard;

namespace Psd2.AppHost.Hosting;

/// <summary>
/// <c>resources.json</c> in the state folder: the running app as scripts and tests see it, rewritten on every
/// change (atomically, so a reader never sees half a file). Private to the owner: it names secrets' paths,
/// connection strings with passwords, and the dashboard token.
/// </summary>
internal sealed class ResourcesFile(DistributedApplication app)
{
    private static readonly JsonSerializerOptions Json = new(DashboardJson.Options) { WriteIndented = true };

    private readonly Lock _gate = new();

    public string Path { get; } = System.IO.Path.Combine(app.Options.StateFolder, "resources.json");

    public void Write()
    {
        lock (_gate)
        {
            var temporary = Path + ".tmp";
            using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                PrivateFile.Restrict(temporary);
                JsonSerializer.Serialize(stream, Snapshot(app), Json);
            }

            File.Move(temporary, Path, overwrite: true);
        }
    }

    public static AppSnapshot Snapshot(DistributedApplication app) => new(
        DateTimeOffset.UtcNow,
        app.DashboardUrl is { } url ? new DashboardSnapshot(url.ToString(), app.DashboardLoginUrl!.ToString(), app.OtlpEndpoint.ToString()) : null,
        app.Resources.Select(ResourceSnapshot.Of).ToList(),
        new CertificatePaths(
            app.Pki.CaCertificate, app.Pki.CaKey,
            app.Pki.BankTlsCertificate, app.Pki.BankTlsKey,
            app.Pki.TppQwacCertificate, app.Pki.TppQwacKey,
            app.Pki.TppQsealCertificate, app.Pki.TppQsealKey),
        app.ConnectionStrings);
}

public sealed record AppSnapshot(
    DateTimeOffset UpdatedAt,
    DashboardSnapshot? Dashboard,
    IReadOnlyList<ResourceSnapshot> Resources,
    CertificatePaths Certificates,
    IReadOnlyDictionary<string, string> ConnectionStrings);

public sealed record DashboardSnapshot(string Url, string LoginUrl, string OtlpEndpoint);

public sealed record ResourceSnapshot(
    string Name, string Kind, ResourceState State, ResourceHealth Health, int? ProcessId, int? ExitCode,
    DateTimeOffset? StartedAt, DateTimeOffset? EndedAt, int Restarts, IReadOnlyDictionary<string, string> Endpoints)
{
    public static ResourceSnapshot Of(Resource r)
    {
        lock (r)
        {
            return new(r.Name, r.Kind, r.State, r.Health, r.ProcessId, r.ExitCode, r.StartedAt, r.EndedAt, r.Restarts,
                r.Endpoints.ToDictionary(e => e.Key, e => e.Value.ToString().TrimEnd('/')));
        }
    }
}

public sealed record CertificatePaths(
    string Ca, string CaKey, string BankTls, string BankTlsKey, string TppQwac, string TppQwacKey, string TppQseal, string TppQsealKey);
