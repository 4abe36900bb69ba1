using Microsoft.Extensions.DependencyInjection;
using System.Net.Security;
using System.Reflection;
using Psd2.SandboxPki;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Psd2.AppHost;

/// <summary>
/// A .NET service of this repository run from its build output (<c>dotnet Psd2.Api.dll</c>). A project resource runs
/// under <c>dotnet run</c>, which does not pass DCP's SIGTERM on: DCP then SIGKILLs it, and the service never shuts
/// down gracefully. Run directly, the service itself gets the SIGTERM. See docs/adr/0010-aspire-apphost.md.
/// </summary>
public sealed class ServiceResource(string name, string workingDirectory)
    : ExecutableResource(name, "dotnet", workingDirectory), IResourceWithServiceDiscovery;

public static class ServiceResources
{
    private static readonly string Configuration = typeof(ServiceResources).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "Configuration").Value!;

    /// <summary>The service of <typeparamref name="TProject"/>, built with the AppHost in the same configuration.</summary>
    public static IResourceBuilder<ServiceResource> AddService<TProject>(this IDistributedApplicationBuilder builder, string name)
        where TProject : IProjectMetadata, new()
    {
        var project = new TProject().ProjectPath;
        var output = Path.Combine(Path.GetDirectoryName(project)!, "bin", Configuration, "net10.0");
        var assembly = Path.Combine(output, Path.GetFileNameWithoutExtension(project) + ".dll");
        var environment = builder.Configuration["AppHost:ServiceEnvironment"] ?? builder.Environment.EnvironmentName;
        return builder.AddResource(new ServiceResource(name, output))
            .WithArgs(assembly)
            .WithOtlpExporter()
            .WithEnvironment("ASPNETCORE_ENVIRONMENT", environment)
            .WithEnvironment("DOTNET_ENVIRONMENT", environment)
            .WithIconName("CodeCircle");
    }

    /// <summary>Plain HTTP on loopback, Kestrel bound to the port DCP gives the endpoint; <c>/health</c> is its readiness.</summary>
    public static IResourceBuilder<ServiceResource> WithKestrelHttpEndpoint(this IResourceBuilder<ServiceResource> service, string name = "http")
    {
        service.WithDirectEndpoint(name, "http");
        var endpoint = service.GetEndpoint(name);
        return service
            .WithEnvironment($"Kestrel__Endpoints__{name}__Url", ReferenceExpression.Create($"http://127.0.0.1:{endpoint.Property(EndpointProperty.TargetPort)}"))
            .WithHttpHealthCheck("/health", endpointName: name);
    }

    /// <summary>HTTPS with a PEM certificate; <paramref name="requireClientCertificate"/> makes it mutual TLS.</summary>
    public static IResourceBuilder<ServiceResource> WithKestrelHttpsEndpoint(
        this IResourceBuilder<ServiceResource> service, string name, string certificatePath, string keyPath, bool requireClientCertificate)
    {
        service.WithDirectEndpoint(name, "https");
        var endpoint = service.GetEndpoint(name);
        var prefix = $"Kestrel__Endpoints__{name}__";
        return service
            .WithEnvironment(prefix + "Url", ReferenceExpression.Create($"https://127.0.0.1:{endpoint.Property(EndpointProperty.TargetPort)}"))
            .WithEnvironment(prefix + "Certificate__Path", certificatePath)
            .WithEnvironment(prefix + "Certificate__KeyPath", keyPath)
            .WithEnvironment(prefix + "ClientCertificateMode", requireClientCertificate ? "RequireCertificate" : "NoCertificate");
    }

    /// <summary>
    /// Healthy when <c>GET /health</c> on an HTTPS endpoint answers 200, trusting <paramref name="caCertificatePath"/>:
    /// Aspire's own HTTP health check trusts only the machine's roots, and the sandbox QTSP is not one of them.
    /// </summary>
    public static IResourceBuilder<ServiceResource> WithHttpsHealthCheck(this IResourceBuilder<ServiceResource> service, string endpointName, string caCertificatePath)
    {
        var endpoint = service.GetEndpoint(endpointName);
        var key = $"{service.Resource.Name}_{endpointName}_health";
        var client = new Lazy<HttpClient>(() => new HttpClient(new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                CertificateChainPolicy = SandboxCertificates.TrustingOnly(caCertificatePath),
            },
        })
        { Timeout = TimeSpan.FromSeconds(5) });
        service.ApplicationBuilder.Services.AddHealthChecks().AddAsyncCheck(key, async token =>
        {
            try
            {
                using var response = await client.Value.GetAsync(new Uri(new Uri(endpoint.Url), "/health"), token);
                return response.IsSuccessStatusCode ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy($"/health answered {(int)response.StatusCode}");
            }
            catch (HttpRequestException e)
            {
                return HealthCheckResult.Unhealthy("/health does not answer", e);
            }
        });
        return service.WithHealthCheck(key);
    }
}
