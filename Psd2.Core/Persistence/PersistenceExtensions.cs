using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace Psd2.Core.Persistence;

public static class PersistenceExtensions
{
    /// <summary>
    /// The platform's DbContext over the <see cref="NpgsqlDataSource"/> registered for <c>psd2db</c>, pooled: every
    /// api call authenticates its key through one, and a context set up per request showed in the cost of cheap reads.
    /// </summary>
    public static IHostApplicationBuilder AddPsd2DbContext(this IHostApplicationBuilder builder)
    {
        builder.Services.AddDbContextPool<Psd2DbContext>((provider, options) =>
            options.UseNpgsql(provider.GetRequiredService<NpgsqlDataSource>()));
        builder.EnrichNpgsqlDbContext<Psd2DbContext>(settings =>
        {
            // EF's retrying execution strategy refuses transactions the code begins itself, and the code does
            // (activations, outbox, token rotation); callers retry whole operations instead.
            settings.DisableRetry = true;
            // The data source's check already tells whether psd2db answers.
            settings.DisableHealthChecks = true;
        });
        return builder;
    }
}
