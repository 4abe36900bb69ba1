using System.Security.Cryptography;

namespace Psd2.AppHost.Hosting;

internal static class PrivateFile
{
    /// <summary>Owner read/write only: for files that hold secrets or name them.</summary>
    public static void Restrict(string path)
    {
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }

    /// <summary>A secret generated once and kept in the state folder, so data from earlier runs stays reachable.</summary>
    public static string Secret(string path)
    {
        if (File.Exists(path))
        {
            return File.ReadAllText(path).Trim();
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var secret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        File.WriteAllText(path, secret);
        Restrict(path);
        return secret;
    }
}
