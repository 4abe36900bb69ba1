using Psd2.Core.Connections;

namespace Psd2.Api.Connections;

public static class ConnectionsExtensions
{
    public static void AddConnections(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<AuthorizationStates>();
        builder.Services.AddScoped<ConnectionStarter>();
        builder.Services.AddScoped<ConnectionActivation>();
        builder.Services.AddSingleton<DecoupledAuthorisationPoller>();
        builder.Services.AddHostedService(services => services.GetRequiredService<DecoupledAuthorisationPoller>());
    }
}
