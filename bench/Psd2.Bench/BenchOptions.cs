using System.Globalization;

namespace Psd2.Bench;

/// <summary>Which load scenarios run: the sandbox bank's (A to C), the platform api's (F to H), or both.</summary>
public enum BenchPart
{
    All,
    Bank,
    Api,
}

/// <summary>
/// Command line: <c>--duration 10 --warmup 3 --concurrency 16 --api-concurrency 32 --deep-page 6 --only api --echo</c>,
/// or <c>--ingest</c>, or <c>--export</c>, or <c>--plan</c>, or <c>--dispatch</c>, or <c>--payments</c>.
/// </summary>
public sealed record BenchOptions(
    TimeSpan Duration, TimeSpan Warmup, int Concurrency, int ApiConcurrency, int DeepPage, BenchPart Only, bool EchoConsole, bool Ingest = false, bool Export = false, bool Plan = false, bool Dispatch = false,
    bool Payments = false)
{
    public const string Usage =
        """
        Usage: dotnet run -c Release --project bench/Psd2.Bench -- [options]
          --duration <seconds>    measured time per scenario (default 10)
          --warmup <seconds>      unmeasured time before each scenario (default 3)
          --concurrency <n>       concurrent workers and keep-alive connections on the bank (default 16)
          --api-concurrency <n>   concurrent workers and keep-alive connections on the api (default 32)
          --deep-page <n>         the transaction page scenario C reads, reached through _links.next (default 6)
          --only <bank|api>       run only the bank's scenarios (A to C) or only the api's (F to H)
          --ingest                instead: a full sync of the large PSU through the api, beside a plain COPY of the same rows
          --export                instead: the large PSU synced through the api, then exported as .xlsx, watching the api's memory
          --plan                  instead: the worker's planner giving 10,000 connections their refresh slots (time, round trips, spread)
          --dispatch              instead: unattended syncs one worker starts per second for 200 due connections, and its database connections
          --payments              instead: payments initiated per second through the platform beside the bank's own rate (SCA skipped)
          --echo                  show the services' console output
        """;

    public static BenchOptions? Parse(IReadOnlyList<string> args)
    {
        var options = new BenchOptions(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(3), 16, 32, 6, BenchPart.All, false);
        for (var i = 0; i < args.Count; i++)
        {
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            options = args[i] switch
            {
                "--duration" => options with { Duration = Seconds(Value(), "--duration") },
                "--warmup" => options with { Warmup = Seconds(Value(), "--warmup", allowZero: true) },
                "--concurrency" => options with { Concurrency = Count(Value(), "--concurrency", 1, 1024) },
                "--api-concurrency" => options with { ApiConcurrency = Count(Value(), "--api-concurrency", 1, 1024) },
                "--deep-page" => options with { DeepPage = Count(Value(), "--deep-page", 2, 10_000) },
                "--only" => options with { Only = Value() switch
                {
                    "bank" => BenchPart.Bank,
                    "api" => BenchPart.Api,
                    _ => throw new ArgumentException("--only must be bank or api."),
                } },
                "--echo" => options with { EchoConsole = true },
                "--ingest" => options with { Ingest = true },
                "--export" => options with { Export = true },
                "--plan" => options with { Plan = true },
                "--dispatch" => options with { Dispatch = true },
                "--payments" => options with { Payments = true },
                "--help" or "-h" => null,
                var unknown => throw new ArgumentException($"Unknown option {unknown}."),
            };
            if (options is null)
            {
                return null;
            }
        }

        return options;
    }

    public bool Runs(BenchPart part) => Only == BenchPart.All || Only == part;

    private static TimeSpan Seconds(string text, string name, bool allowZero = false) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && (seconds > 0 || (allowZero && seconds == 0)) && seconds <= 3600
            ? TimeSpan.FromSeconds(seconds)
            : throw new ArgumentException($"{name} must be a number of seconds{(allowZero ? "" : " above 0")}, at most 3600.");

    private static int Count(string text, string name, int min, int max) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw new ArgumentException($"{name} must be a whole number from {min} to {max}.");
}
