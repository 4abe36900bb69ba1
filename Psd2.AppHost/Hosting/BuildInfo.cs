using System.Reflection;

namespace Psd2.AppHost.Hosting;

/// <summary>Facts stamped into this assembly at build time (see Psd2.AppHost.csproj).</summary>
public static class BuildInfo
{
    public static string RepositoryRoot { get; } = Read("RepositoryRoot");
    public static string Configuration { get; } = Read("Configuration");

    private static string Read(string key) =>
        typeof(BuildInfo).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;
}
