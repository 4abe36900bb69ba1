using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Psd2.Api.Tests;

/// <summary>
/// The api in this process (WebApplicationFactory), its background services left out. Without stores its settings
/// start it but reach no database or Redis: enough for what is decided before a handler reads anything (the OpenAPI
/// document, the key check's refusals, the body's media type). With <see cref="RealStores"/> it reads and writes
/// psd2db and Redis as the running api does. No bank is reachable either way.
/// </summary>
public sealed class InProcessApi : WebApplicationFactory<Program>
{
    private readonly string _psd2db;
    private readonly string _redis;

    public InProcessApi()
        : this("Host=127.0.0.1;Port=1;Database=none;Username=none;Password=none;Timeout=1", "127.0.0.1:1,abortConnect=false,connectTimeout=100")
    {
    }

    private InProcessApi(string psd2db, string redis)
    {
        _psd2db = psd2db;
        _redis = redis;
    }

    public static InProcessApi On(RealStores stores) => new(stores.Psd2Db, stores.Redis);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        foreach (var (key, value) in new Dictionary<string, string>
        {
            ["ConnectionStrings:psd2db"] = _psd2db,
            ["ConnectionStrings:redis"] = _redis,
            ["Tpp:QwacCertificatePath"] = "unused",
            ["Tpp:QwacKeyPath"] = "unused",
            ["Tpp:QsealCertificatePath"] = "unused",
            ["Tpp:QsealKeyPath"] = "unused",
            ["Api:PublicBaseUrl"] = "http://localhost",
            ["Tokens:EncryptionKey"] = "in-process-tests-only-0123456789abcdef",
        })
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureTestServices(services => services.RemoveAll<IHostedService>());
    }
}
