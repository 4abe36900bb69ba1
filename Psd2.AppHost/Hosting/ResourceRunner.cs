using System.Diagnostics;

namespace Psd2.AppHost.Hosting;

/// <summary>
/// Runs one resource: waits for what it depends on, prepares and starts its process, probes its health while
/// it runs, records how it ended, and stops it gracefully (signal, then kill after a grace period).
/// </summary>
internal sealed class ResourceRunner(Resource resource, Action<Resource> changed, CancellationToken appStopping)
{
    private static readonly TimeSpan GracePeriod = TimeSpan.FromSeconds(10);
    private readonly Lock _gate = new();
    private Process? _process;
    private Task _run = Task.CompletedTask;
    private CancellationTokenSource? _runCancellation;
    private bool _stopRequested;

    public Resource Resource => resource;

    public void Start()
    {
        lock (_gate)
        {
            if (!_run.IsCompleted)
            {
                return;
            }

            _stopRequested = false;
            // Settled before Start returns, so a caller that waits next never sees the previous run's end state.
            Update(r =>
            {
                r.State = ResourceState.Waiting;
                r.Health = ResourceHealth.Unknown;
                r.ExitCode = null;
                r.ProcessId = null;
            });
            _runCancellation?.Dispose();
            _runCancellation = CancellationTokenSource.CreateLinkedTokenSource(appStopping);
            _run = Task.Run(() => RunAsync(_runCancellation.Token), CancellationToken.None);
        }
    }

    public async Task StopAsync()
    {
        Process? process;
        lock (_gate)
        {
            _stopRequested = true;
            process = _process;
            _runCancellation?.Cancel();
        }

        if (process is not null && !HasExited(process))
        {
            Update(r => r.State = ResourceState.Stopping);
            Signals.Send(process.Id, resource.StopSignal);
            using var grace = new CancellationTokenSource(GracePeriod);
            try
            {
                await process.WaitForExitAsync(grace.Token);
            }
            catch (OperationCanceledException)
            {
                resource.Log.Add($"did not stop within {GracePeriod.TotalSeconds:0} s; killing it", isError: true);
                process.Kill(entireProcessTree: true);
            }
        }

        await _run;
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            await WaitForDependenciesAsync(cancellationToken);
            Update(r => r.State = ResourceState.Starting);
            var spec = await resource.Prepare(cancellationToken);
            resource.ApplyEnvironment(spec.Environment);
            var process = Launch(spec);
            lock (_gate)
            {
                _process = process;
            }

            Update(r =>
            {
                r.State = ResourceState.Running;
                r.ProcessId = process.Id;
                r.StartedAt = DateTimeOffset.UtcNow;
                r.EndedAt = null;
            });

            using var probing = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var probe = ProbeAsync(probing.Token);
            await process.WaitForExitAsync(CancellationToken.None);
            await probing.CancelAsync();
            await probe;
            Ended(process.ExitCode);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Update(r => r.State = ResourceState.Stopped);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            resource.Log.Add($"failed to start: {exception.Message}", isError: true);
            Update(r => r.State = ResourceState.FailedToStart);
        }
    }

    private void Ended(int exitCode)
    {
        Update(r =>
        {
            r.ExitCode = exitCode;
            r.ProcessId = null;
            r.EndedAt = DateTimeOffset.UtcNow;
            r.Health = ResourceHealth.Unknown;
            r.State = _stopRequested ? ResourceState.Stopped
                : r.RunsToCompletion && exitCode == 0 ? ResourceState.Finished
                : ResourceState.Exited;
        });
        if (resource.State == ResourceState.Exited)
        {
            resource.Log.Add($"exited with code {exitCode}", isError: true);
        }
    }

    private async Task WaitForDependenciesAsync(CancellationToken cancellationToken)
    {
        foreach (var (dependency, condition) in resource.WaitsFor)
        {
            while (!IsMet(dependency, condition))
            {
                if (condition == WaitCondition.Completed && dependency.State is ResourceState.Exited or ResourceState.FailedToStart)
                {
                    throw new InvalidOperationException($"'{dependency.Name}' did not complete (state {dependency.State}, exit code {dependency.ExitCode}).");
                }

                await Task.Delay(100, cancellationToken);
            }
        }
    }

    private static bool IsMet(Resource dependency, WaitCondition condition) => condition switch
    {
        WaitCondition.Completed => dependency.State == ResourceState.Finished,
        _ => dependency.State == ResourceState.Running && dependency.Health == ResourceHealth.Healthy,
    };

    // Probe often until healthy so dependants start quickly, then settle into a slower beat.
    private async Task ProbeAsync(CancellationToken cancellationToken)
    {
        if (resource.Probe is null)
        {
            return;
        }

        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var healthy = await resource.Probe(cancellationToken);
                var health = healthy ? ResourceHealth.Healthy : ResourceHealth.Unhealthy;
                if (resource.Health != health && resource.State == ResourceState.Running)
                {
                    Update(r => r.Health = health);
                }

                await Task.Delay(healthy ? TimeSpan.FromSeconds(5) : TimeSpan.FromMilliseconds(200), cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The process ended or is being stopped.
        }
    }

    private Process Launch(LaunchSpec spec)
    {
        var start = new ProcessStartInfo(spec.FileName)
        {
            WorkingDirectory = spec.WorkingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            // Children never read the terminal: Ctrl+C and typing belong to the AppHost.
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in spec.Arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in spec.Environment)
        {
            if (value.Length == 0)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, line) => Capture(line.Data, isError: false);
        process.ErrorDataReceived += (_, line) => Capture(line.Data, isError: true);
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private void Capture(string? line, bool isError)
    {
        if (line is not null)
        {
            resource.Log.Add(line, isError);
        }
    }

    private void Update(Action<Resource> change)
    {
        lock (resource)
        {
            change(resource);
        }

        changed(resource);
    }

    private static bool HasExited(Process process)
    {
        try
        {
            return process.HasExited;
        }
        catch (InvalidOperationException)
        {
            return true;
        }
    }
}
