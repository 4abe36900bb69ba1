using System.Globalization;

namespace Psd2.Bench;

/// <summary>Command line: <c>--duration 10 --warmup 3 --concurrency 16 --deep-page 6 --echo</c>, or <c>--ingest</c>, or <c>--export</c>.</summary>
public sealed record BenchOptions(TimeSpan Duration, TimeSpan Warmup, int Concurrency, int DeepPage, bool EchoConsole, bool Ingest = false, bool Export = false)
{
    public const string Usage =
        """
        Usage: dotnet run -c Release --project bench/Psd2.Bench -- [options]
          --duration <seconds>    measured time per scenario (default 10)
          --warmup <seconds>      unmeasured time before each scenario (default 3)
          --concurrency <n>       concurrent workers and keep-alive connections (default 16)
          --deep-page <n>         the transaction page scenario C reads, reached through _links.next (default 6)
          --ingest                instead: a full sync of the large PSU through the api, beside a plain COPY of the same rows
          --export                instead: the large PSU synced through the api, then exported as .xlsx, watching the api's memory
          --echo                  show the services' console output
        """;

    public static BenchOptions? Parse(IReadOnlyList<string> args)
    {
        var options = new BenchOptions(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(3), 16, 6, false);
        for (var i = 0; i < args.Count; i++)
        {
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            options = args[i] switch
            {
                "--duration" => options with { Duration = Seconds(Value(), "--duration") },
                "--warmup" => options with { Warmup = Seconds(Value(), "--warmup", allowZero: true) },
                "--concurrency" => options with { Concurrency = Count(Value(), "--concurrency", 1, 1024) },
                "--deep-page" => options with { DeepPage = Count(Value(), "--deep-page", 2, 10_000) },
                "--echo" => options with { EchoConsole = true },
                "--ingest" => options with { Ingest = true },
                "--export" => options with { Export = true },
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

    private static TimeSpan Seconds(string text, string name, bool allowZero = false) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && (seconds > 0 || (allowZero && seconds == 0)) && seconds <= 3600
            ? TimeSpan.FromSeconds(seconds)
            : throw new ArgumentException($"{name} must be a number of seconds{(allowZero ? "" : " above 0")}, at most 3600.");

    private static int Count(string text, string name, int min, int max) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw new ArgumentException($"{name} must be a whole number from {min} to {max}.");
}
