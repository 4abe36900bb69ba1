using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Psd2.AppHost.Otlp;
using Psd2.AppHost.Telemetry;

namespace Psd2.AppHost.Tests.Otlp;

/// <summary>The dashboard's OTLP receiver on a free loopback port, over a store of its own.</summary>
internal sealed class ReceiverHost : IAsyncDisposable
{
    private readonly WebApplication _web;

    private ReceiverHost(WebApplication web, TelemetryStore store, Uri url)
    {
        _web = web;
        Store = store;
        Url = url;
    }

    public TelemetryStore Store { get; }

    public Uri Url { get; }

    public static async Task<ReceiverHost> StartAsync(TelemetryLimits? limits = null)
    {
        var store = new TelemetryStore(limits ?? new TelemetryLimits());
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var web = builder.Build();
        var receiver = new OtlpReceiver(store);
        web.Run(receiver.HandleAsync);
        await web.StartAsync();
        var address = web.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new ReceiverHost(web, store, new Uri(address));
    }

    public async ValueTask DisposeAsync()
    {
        await _web.StopAsync();
        await _web.DisposeAsync();
    }
}
