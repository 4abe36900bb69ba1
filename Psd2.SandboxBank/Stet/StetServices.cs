using Psd2.SandboxBank.Signing;

namespace Psd2.SandboxBank.Stet;

/// <summary>The STET dialect: its services, and its HTTP surface mapped in place of the Berlin Group one.</summary>
public static class StetServices
{
    public static void AddStet(this IServiceCollection services)
    {
        services.AddSingleton<StetAuthorizations>();
        services.AddSingleton<StetAccess>();
        services.AddSingleton<StetViews>();
        services.AddStetErrorHandling();
        services.AddStetSignatures();
    }

    public static void MapStetApi(this IEndpointRouteBuilder app)
    {
        app.MapStetMetadata();
        app.MapTokenRevocationEndpoint();
        app.MapStetConsentsApi();
        app.MapStetAccountsApi();
    }
}
