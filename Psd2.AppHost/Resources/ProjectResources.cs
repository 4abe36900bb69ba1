using Psd2.AppHost.Hosting;

namespace Psd2.AppHost.Resources;

/// <summary>The .NET services, started from their build output with their environment in Aspire's variables.</summary>
public static class ProjectResources
{
    public static Resource AddProject(this DistributedApplicationBuilder builder, string name, string projectName)
    {
        var options = builder.Options;
        var outputFolder = Path.Combine(options.RepositoryRoot, projectName, "bin", options.Configuration, "net10.0");
        var assembly = Path.Combine(outputFolder, projectName + ".dll");
        var resource = builder.AddResource(name, "project", _ =>
        {
            if (!File.Exists(assembly))
            {
                throw new FileNotFoundException($"{assembly} is missing: build the solution first (dotnet build Psd2.sln -c {options.Configuration}).");
            }

            var spec = new LaunchSpec("dotnet", [assembly], outputFolder);
            spec.Environment["OTEL_SERVICE_NAME"] = name;
            spec.Environment["OTEL_EXPORTER_OTLP_ENDPOINT"] = builder.OtlpEndpoint.ToString().TrimEnd('/');
            spec.Environment["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf";
            // A dashboard is for watching while it happens: export within a second (traces, logs) or five (metrics)
            // instead of the SDK's 5 s and 60 s.
            spec.Environment["OTEL_BSP_SCHEDULE_DELAY"] = "1000";
            spec.Environment["OTEL_BLRP_SCHEDULE_DELAY"] = "1000";
            spec.Environment["OTEL_METRIC_EXPORT_INTERVAL"] = "5000";
            spec.Environment["ASPNETCORE_ENVIRONMENT"] = options.ServiceEnvironment;
            spec.Environment["DOTNET_ENVIRONMENT"] = options.ServiceEnvironment;
            // The services' own launch settings and any URLs this process was given must not leak in.
            spec.Environment["ASPNETCORE_URLS"] = "";
            spec.Environment["DOTNET_LAUNCH_PROFILE"] = "";
            return Task.FromResult(spec);
        });
        return resource;
    }

    /// <summary>A plain HTTP endpoint on a free loopback port, also the one the health probe uses.</summary>
    public static Resource WithHttpEndpoint(this Resource resource, string name = "http")
    {
        var url = new Uri($"http://127.0.0.1:{Ports.FindFree()}");
        return resource.WithEndpoint(name, url).WithEnvironment($"Kestrel__Endpoints__{name}__Url", url.ToString());
    }

    /// <summary>An HTTPS endpoint served with the given PEM certificate; <paramref name="requireClientCertificate"/> makes it mutual TLS.</summary>
    public static Resource WithHttpsEndpoint(this Resource resource, string name, string certificatePath, string keyPath, bool requireClientCertificate)
    {
        var url = new Uri($"https://localhost:{Ports.FindFree()}");
        var prefix = $"Kestrel__Endpoints__{name}__";
        return resource.WithEndpoint(name, url)
            .WithEnvironment(prefix + "Url", $"https://127.0.0.1:{url.Port}")
            .WithEnvironment(prefix + "Certificate__Path", certificatePath)
            .WithEnvironment(prefix + "Certificate__KeyPath", keyPath)
            .WithEnvironment(prefix + "ClientCertificateMode", requireClientCertificate ? "RequireCertificate" : "NoCertificate");
    }
}
