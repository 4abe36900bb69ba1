using System.Text;

namespace Psd2.AppHost.Hosting;

/// <summary>
/// A resource's complete console output in <c>logs/&lt;resource&gt;.log</c> in the state folder, appended line by line
/// as it arrives; the in-memory <see cref="ConsoleLog"/> keeps only the last lines. A restart appends to the same
/// file. Owner-only (0600, folder 0700): services' output may hold personal data.
/// </summary>
public sealed class LogFile : IDisposable
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private readonly Lock _gate = new();
    private readonly Resource _resource;
    private StreamWriter? _writer;

    private LogFile(Resource resource, string path)
    {
        _resource = resource;
        Path = path;
        var options = new FileStreamOptions { Mode = FileMode.Append, Access = FileAccess.Write, Share = FileShare.Read };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = OwnerOnly;
        }

        _writer = new StreamWriter(new FileStream(path, options), new UTF8Encoding(encoderShouldEmitUTF8Identifier: false)) { AutoFlush = true };
        // A file left by an earlier run in a kept state folder is made owner-only too.
        PrivateFile.Restrict(path);
        resource.Log.LineAdded += Write;
    }

    public string ResourceName => _resource.Name;

    public string Path { get; }

    public static string Folder(string stateFolder) => System.IO.Path.Combine(stateFolder, "logs");

    /// <summary>Starts the file of a resource; open it before the resource starts, so that no line is missed.</summary>
    public static LogFile Open(Resource resource, string stateFolder)
    {
        var folder = Folder(stateFolder);
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(folder);
        }
        else
        {
            Directory.CreateDirectory(folder, OwnerOnly | UnixFileMode.UserExecute);
        }

        return new LogFile(resource, System.IO.Path.Combine(folder, resource.Name + ".log"));
    }

    /// <summary>Stops writing; lines that arrive later stay in the console log only.</summary>
    public void Dispose()
    {
        _resource.Log.LineAdded -= Write;
        lock (_gate)
        {
            _writer?.Dispose();
            _writer = null;
        }
    }

    // Output and error lines arrive on different threads; one at a time, each written whole.
    private void Write(ConsoleLine line)
    {
        lock (_gate)
        {
            _writer?.WriteLine(line.Text);
        }
    }
}
