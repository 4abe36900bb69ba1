namespace Psd2.AppHost.Hosting;

/// <summary>Writes every resource's output to the AppHost's console, each line prefixed with the resource's name.</summary>
internal sealed class ConsoleEcho
{
    private static readonly ConsoleColor[] Palette =
        [ConsoleColor.Cyan, ConsoleColor.Green, ConsoleColor.Magenta, ConsoleColor.Yellow, ConsoleColor.Blue, ConsoleColor.DarkCyan, ConsoleColor.DarkGreen];

    private readonly Lock _gate = new();
    private readonly int _width;
    private readonly bool _colors = !Console.IsOutputRedirected;

    public ConsoleEcho(IReadOnlyList<Resource> resources)
    {
        _width = resources.Max(r => r.Name.Length);
        for (var i = 0; i < resources.Count; i++)
        {
            var resource = resources[i];
            var color = Palette[i % Palette.Length];
            resource.Log.LineAdded += line => Write(resource.Name, color, line.Text);
        }
    }

    public void StateChanged(Resource resource)
    {
        var health = resource.Health == ResourceHealth.Unknown ? "" : $" ({resource.Health.ToString().ToLowerInvariant()})";
        var exit = resource.ExitCode is { } code && resource.State is not ResourceState.Running ? $" exit code {code}" : "";
        Write("apphost", ConsoleColor.White, $"{resource.Name}: {resource.State.ToString().ToLowerInvariant()}{health}{exit}");
    }

    public void Write(string source, ConsoleColor color, string text)
    {
        lock (_gate)
        {
            if (_colors)
            {
                Console.ForegroundColor = color;
            }

            Console.Write(source.PadRight(_width));
            Console.Write(" | ");
            if (_colors)
            {
                Console.ResetColor();
            }

            Console.WriteLine(text);
        }
    }
}
