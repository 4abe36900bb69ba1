using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Psd2.SandboxPki;

namespace Psd2.AppHost;

/// <summary>
/// <c>resources.json</c> in the state folder: the running app as scripts and tests see it (states, endpoints,
/// certificates, connection strings, the dashboard's login link), rewritten from Aspire's resource notifications on
/// every change, atomically and readable by the owner only.
/// </summary>
internal sealed class ResourcesFile(
    DistributedApplicationModel model,
    ResourceNotificationService notifications,
    IConfiguration configuration,
    StateFolder state) : BackgroundService
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    private readonly Dictionary<string, ResourceEntry> _resources = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _connectionStrings = new(StringComparer.Ordinal);

    public string Path => state.Combine("resources.json");

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var update in notifications.WatchAsync(stoppingToken))
            {
                var snapshot = update.Snapshot;
                _resources[update.Resource.Name] = new ResourceEntry(
                    update.Resource.Name,
                    snapshot.ResourceType,
                    snapshot.State?.Text,
                    snapshot.HealthStatus?.ToString(),
                    snapshot.Properties.FirstOrDefault(p => p.Name == "executable.pid")?.Value is { } pid ? Convert.ToInt32(pid, System.Globalization.CultureInfo.InvariantCulture) : null,
                    snapshot.ExitCode,
                    snapshot.StartTimeStamp,
                    snapshot.StopTimeStamp,
                    snapshot.Urls.Where(u => u.Name is not null && !u.IsInactive).GroupBy(u => u.Name!).ToDictionary(g => g.Key, g => g.First().Url.TrimEnd('/')));
                if (update.Resource is IResourceWithConnectionString withConnectionString
                    && snapshot.State?.Text == KnownResourceStates.Running && !_connectionStrings.ContainsKey(update.Resource.Name))
                {
                    _connectionStrings[update.Resource.Name] = await withConnectionString.GetConnectionStringAsync(stoppingToken) ?? "";
                }

                Write();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private void Write()
    {
        var dashboardUrl = configuration["ASPNETCORE_URLS"]?.Split(';')[0].TrimEnd('/');
        var token = configuration["AppHost:BrowserToken"];
        var pki = state.Pki;
        var contents = new
        {
            UpdatedAt = DateTimeOffset.UtcNow,
            Dashboard = dashboardUrl is null || !model.Resources.Any(r => r.Name == "aspire-dashboard") ? null : new
            {
                Url = dashboardUrl + "/",
                LoginUrl = token is null ? dashboardUrl + "/" : $"{dashboardUrl}/login?t={token}",
                OtlpEndpoint = configuration["ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL"] ?? configuration["ASPIRE_DASHBOARD_OTLP_HTTP_ENDPOINT_URL"],
            },
            Resources = model.Resources.Where(r => _resources.ContainsKey(r.Name) && r is not ParameterResource).Select(r => _resources[r.Name]),
            Certificates = new
            {
                Ca = pki.CaCertificate, CaKey = pki.CaKey, BankTls = pki.BankTlsCertificate, BankTlsKey = pki.BankTlsKey,
                TppQwac = pki.TppQwacCertificate, TppQwacKey = pki.TppQwacKey, TppQseal = pki.TppQsealCertificate, TppQsealKey = pki.TppQsealKey,
            },
            ConnectionStrings = _connectionStrings,
        };
        var temporary = Path + ".tmp";
        StateFolder.WritePrivate(temporary, JsonSerializer.Serialize(contents, Json));
        File.Move(temporary, Path, overwrite: true);
    }

    private sealed record ResourceEntry(
        string Name, string Kind, string? State, string? Health, int? ProcessId, int? ExitCode,
        DateTime? StartedAt, DateTime? EndedAt, IReadOnlyDictionary<string, string> Endpoints);
}
