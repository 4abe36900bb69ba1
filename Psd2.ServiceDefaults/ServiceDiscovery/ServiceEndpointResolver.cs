using Microsoft.Extensions.Configuration;

namespace Psd2.ServiceDefaults.ServiceDiscovery;

/// <summary>
/// Resolves a logical service address the way Microsoft.Extensions.ServiceDiscovery does, from Aspire's
/// variables <c>services__{service}__{endpoint}__{i}</c>:
/// <c>https://sandboxbank</c> takes the <c>https</c> endpoint, <c>https+http://api</c> the first of
/// <c>https</c> or <c>http</c> that exists, and <c>https://_psu.sandboxbank</c> the endpoint named <c>psu</c>.
/// Addresses that name no configured service are left alone.
/// </summary>
public sealed class ServiceEndpointResolver(IConfiguration configuration)
{
    public Uri? TryResolve(Uri logical)
    {
        var host = logical.Host;
        string? endpointName = null;
        if (host.StartsWith('_') && host.IndexOf('.', StringComparison.Ordinal) is var dot and > 1)
        {
            endpointName = host[1..dot];
            host = host[(dot + 1)..];
        }

        var service = configuration.GetSection("services").GetSection(host);
        if (!service.Exists())
        {
            return null;
        }

        var candidates = endpointName is null ? logical.Scheme.Split('+') : [endpointName];
        foreach (var candidate in candidates)
        {
            if (service.GetSection(candidate).GetChildren().Select(child => child.Value).FirstOrDefault(v => !string.IsNullOrEmpty(v)) is { } address)
            {
                var resolved = new Uri(address);
                return new UriBuilder(logical) { Scheme = resolved.Scheme, Host = resolved.Host, Port = resolved.Port }.Uri;
            }
        }

        throw new InvalidOperationException(
            $"Service '{host}' has no endpoint named {string.Join(" or ", candidates)}: set services__{host}__{candidates[0]}__0.");
    }
}
