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
}
