using System.Diagnostics;

namespace Psd2.IntegrationTests.Harness;

/// <summary>
/// Runs the Node.js tools in tests/tools (response validation against the Berlin Group spec, a third-party
/// OAuth client); their command lines are in tests/tools/README.md. eng/prerequisites.sh installs their packages.
/// </summary>
public static class NodeTool
{
    private static readonly Lazy<string> Root = new(FindRepositoryRoot);

    /// <summary>The folder holding Psd2.sln: the tools run from there, whatever the test's output folder.</summary>
    public static string RepositoryRoot => Root.Value;

    /// <summary>The Berlin Group NextGenPSD2 1.3.12 OpenAPI file, kept in shared/ beside the repository.</summary>
    public static string SpecPath => Path.GetFullPath(
        Path.Combine(RepositoryRoot, "..", "shared", "specs", "berlin-group", "psd2-api_v1.3.12-2022-07-06.json"));

    /// <summary>
    /// Runs <c>node tests/tools/<paramref name="script"/></c> and returns its exit code and output. Cancelling
    /// <paramref name="ct"/> kills the process tree, so a hung tool cannot outlive the test's deadline.
    /// </summary>
    public static async Task<NodeResult> RunAsync(string script, IEnumerable<string> args, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(script);
        ArgumentNullException.ThrowIfNull(args);

        var tools = Path.Combine(RepositoryRoot, "tests", "tools");
        if (!Directory.Exists(Path.Combine(tools, "node_modules")))
        {
            // Otherwise the tool fails with a module resolution error that does not say what to do.
            throw new InvalidOperationException($"{tools}/node_modules is missing: run eng/prerequisites.sh (or npm ci --prefix tests/tools).");
        }

        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = RepositoryRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            ArgumentList = { Path.Combine(tools, script) },
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"node {script} did not start.");
        // Both pipes are drained from the start: a tool blocked on a full stderr pipe would never exit.
        var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);

        try
        {
            await process.WaitForExitAsync(ct);
        }
        catch (OperationCanceledException cancelled)
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // It exited between the cancellation and the kill.
            }

            await process.WaitForExitAsync(CancellationToken.None);
            throw new OperationCanceledException(
                $"node {script} was stopped before it finished.\nstdout:\n{await stdout}\nstderr:\n{await stderr}", cancelled, ct);
        }

        return new NodeResult(process.ExitCode, await stdout, await stderr);
    }

    private static string FindRepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Psd2.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException($"No folder above {AppContext.BaseDirectory} holds Psd2.sln.");
    }
}

/// <summary>What a Node tool left behind: its exit code and everything it printed.</summary>
public sealed record NodeResult(int ExitCode, string Stdout, string Stderr);
