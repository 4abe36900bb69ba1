namespace Psd2.AppHost.Hosting;

/// <summary>Finds the server binaries the app runs, or says which Debian package installs them.</summary>
public static class Prerequisites
{
    public static string? FindPostgresBin()
    {
        var candidates = new List<string>();
        if (FindOnPath("pg_ctl") is { } onPath)
        {
            // Debian links some tools into PATH; the real folder also holds the server binary.
            candidates.Add(Path.GetDirectoryName(new FileInfo(onPath).ResolveLinkTarget(true)?.FullName ?? onPath)!);
        }

        if (Directory.Exists("/usr/lib/postgresql"))
        {
            candidates.AddRange(Directory.GetDirectories("/usr/lib/postgresql")
                .OrderByDescending(dir => int.TryParse(Path.GetFileName(dir), out var version) ? version : 0)
                .Select(dir => Path.Combine(dir, "bin")));
        }

        return candidates.FirstOrDefault(dir => File.Exists(Path.Combine(dir, "postgres")) && File.Exists(Path.Combine(dir, "initdb")));
    }

    public static string? FindRedisServer() => FindOnPath("redis-server");

    public static string? FindOnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/local/bin:/usr/bin:/bin")
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, program))
            .FirstOrDefault(File.Exists);
}

/// <summary>Something the app needs is not installed; the message names the fix.</summary>
public sealed class MissingPrerequisiteException(string message) : Exception(message);
