using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Psd2.Api.Tests;

/// <summary>
/// The api in this process (WebApplicationFactory) with settings that start it but reach no database, Redis or bank:
/// enough for what is decided before a handler reads anything (the OpenAPI document, the key check's refusals, the
/// body's media type). Its background services are left out.
/// </summary>
public sealed class InProcessApi : WebApplicationFactory<Program>
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        foreach (var (key, value) in new Dictionary<string, string>
        {
            ["ConnectionStrings:psd2db"] = "Host=127.0.0.1;Port=1;Database=none;Username=none;Password=none;Timeout=1",
            ["ConnectionStrings:redis"] = "127.0.0.1:1,abortConnect=false,connectTimeout=100",
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
