using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http;
using Microsoft.Extensions.Options;
using Polly;

namespace Psd2.ServiceDefaults.Resilience;

/// <summary>Registration of the standard resilience handler on <see cref="IHttpClientBuilder"/>.</summary>
public static class ResilienceHttpClientBuilderExtensions
{
    /// <summary>
    /// Adds the standard resilience handler (total timeout, retry, circuit breaker, attempt timeout) to the client.
    /// Options are the named <see cref="StandardResilienceOptions"/> of the client's name, so
    /// <c>services.Configure&lt;StandardResilienceOptions&gt;("name", ...)</c> tunes one client; <paramref name="configure"/>
    /// is registered for the same name (for every client when used inside <c>ConfigureHttpClientDefaults</c>).
    /// </summary>
    public static IHttpClientBuilder AddStandardResilienceHandler(
        this IHttpClientBuilder builder,
        Action<StandardResilienceOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);

        builder.Services.AddOptions<StandardResilienceOptions>();
        builder.Services.TryAddSingleton(static services => new ResiliencePipelineCache(
            services.GetRequiredService<IOptionsMonitor<StandardResilienceOptions>>(),
            services.GetService<TimeProvider>()));

        if (configure is not null)
        {
            // A null name (the ConfigureHttpClientDefaults builder) configures every client's options.
            builder.Services.Configure(builder.Name, configure);
        }

        // AddHttpMessageHandler's factory is not told which client it builds for, and under
        // ConfigureHttpClientDefaults the builder has no name. Named configuration of the factory's options is
        // told, and that name keys both the resilience options and the shared pipeline.
        builder.Services.AddSingleton<IConfigureOptions<HttpClientFactoryOptions>>(new AddResilienceHandlerToClient(builder.Name));

        return builder;
    }

    private sealed class AddResilienceHandlerToClient(string? clientName) : IConfigureNamedOptions<HttpClientFactoryOptions>
    {
        public void Configure(string? name, HttpClientFactoryOptions options)
        {
            var client = name ?? Options.DefaultName;
            if (clientName is not null && !string.Equals(clientName, client, StringComparison.Ordinal))
            {
                return;
            }

            options.HttpMessageHandlerBuilderActions.Add(handlers =>
            {
                var pipeline = handlers.Services.GetRequiredService<ResiliencePipelineCache>().GetOrAdd(client);
                handlers.AdditionalHandlers.Add(new ResilienceHandler(pipeline));
            });
        }

        public void Configure(HttpClientFactoryOptions options) => Configure(Options.DefaultName, options);
    }
}

/// <summary>
/// One standard pipeline per client name, built on first use from that name's <see cref="StandardResilienceOptions"/>.
/// </summary>
/// <remarks>
/// IHttpClientFactory replaces a client's handlers every two minutes; the pipeline, and with it the circuit
/// breaker's state, outlives them. Options changes after the first use are not picked up, as with Microsoft's
/// standard handler when reloads are not enabled.
/// </remarks>
public sealed class ResiliencePipelineCache
{
    private readonly ConcurrentDictionary<string, ResiliencePipeline<HttpResponseMessage>> _pipelines = new(StringComparer.Ordinal);
    private readonly IOptionsMonitor<StandardResilienceOptions> _options;
    private readonly TimeProvider _timeProvider;

    /// <summary>Creates the cache; <paramref name="timeProvider"/> defaults to <see cref="TimeProvider.System"/>.</summary>
    public ResiliencePipelineCache(IOptionsMonitor<StandardResilienceOptions> options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>The pipeline of <paramref name="clientName"/>, built from its named options the first time it is asked for.</summary>
    public ResiliencePipeline<HttpResponseMessage> GetOrAdd(string clientName)
    {
        ArgumentNullException.ThrowIfNull(clientName);
        // A pipeline built by a losing racer is dropped before any request has gone through it.
        return _pipelines.GetOrAdd(
            clientName,
            static (name, cache) => ResilienceHandler.CreatePipeline(cache._options.Get(name), cache._timeProvider),
            this);
    }
}
