using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Psd2.Core.Persistence;

public static class PersistenceExtensions
{
    /// <summary>
    /// The platform's DbContext over the <see cref="NpgsqlDataSource"/> registered for <c>psd2db</c>, pooled: every
    /// api call authenticates its key through one, and a context set up per request showed in the cost of cheap reads.
    /// </summary>
    public static IServiceCollection AddPsd2DbContext(this IServiceCollection services) =>
        services.AddDbContextPool<Psd2DbContext>((provider, options) =>
            options.UseNpgsql(provider.GetRequiredService<NpgsqlDataSource>()));
}
