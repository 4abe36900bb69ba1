// Two collections, each with an app of its own, run side by side (one per core): "app", whose app the most tests
// share, and "worker", whose app runs on the test clock (with the tests that start apps of their own). Within a
// collection, test classes run one after another.
[assembly: CollectionBehavior(MaxParallelThreads = 2)]
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

namespace Psd2.IntegrationTests.Harness;

/// <summary>Starts the whole app once per test run through Aspire.Hosting.Testing; at the end stops it and looks for secrets in its logs.</summary>
public class AppFixture : IAsyncLifetime
{
    private TestApp? _app;

    public TestApp App => _app ?? throw new InvalidOperationException("The app is not started.");

    public async Task InitializeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        _app = await TestApp.StartAsync(timeout.Token, Configure);
        Console.WriteLine($"Harness: whole app healthy in {_app.StartupTime.TotalSeconds:0.0} s");
    }

    /// <summary>How this fixture's app differs from the default one.</summary>
    protected virtual void Configure(TestAppSettings settings)
    {
    }

    /// <summary>
    /// Stops the app, then fails the run if any secret a test saw (<see cref="SeenSecrets"/>) is in any resource's
    /// complete log. xunit reports a collection fixture that throws here as a failed run (dotnet test exits 1).
    /// </summary>
    public async Task DisposeAsync()
    {
        if (_app is null)
        {
            return;
        }

        try
        {
            // Read while the app still runs: the tokens stored at the end, whichever test made them, and what the
            // run authorised, which tells what the register must hold.
            await SeenSecrets.AddStoredTokensAsync(_app);
            SeenSecrets.Add(SecretKind.TokenEncryptionKey, _app.TokenEncryptionKey);
            var authorisations = await SeenSecrets.AuthorisationsAsync(_app);
            var undeclared = await UndeclaredStatusesAsync(_app);
            await _app.StopAsync();
            AssertLogsComplete(_app);
            AssertRegisterHolds(authorisations.Connections, authorisations.RedirectsByHand);
            AssertNoSecretInLogs(_app);
            if (undeclared.Count > 0)
            {
                throw new UndeclaredStatusException("The api answered statuses its OpenAPI document does not declare:" + Environment.NewLine
                    + string.Join(Environment.NewLine, undeclared.Select(line => "  " + line)));
            }
        }
        finally
        {
            await _app.DisposeAsync();
        }
    }

    // What the api answered the run's client apps, against what its document declares for each operation.
    private static async Task<IReadOnlyList<string>> UndeclaredStatusesAsync(TestApp app)
    {
        using var api = app.CreateHttpClient("api");
        var document = await api.GetFromJsonAsync<System.Text.Json.JsonElement>("/openapi/v1.json");
        var undeclared = AnsweredStatuses.Undeclared(document, out var operations, out var answers);
        Console.WriteLine($"Harness: {answers} answers to {operations} operations checked against the OpenAPI document; {undeclared.Count} undeclared");
        return undeclared;
    }

    // Every process printed into its file, so the scan below reads every resource's output, not empty files.
    private static void AssertLogsComplete(TestApp app)
    {
        foreach (var resource in app.ProcessNames)
        {
            var path = app.LogFiles[resource];
            if (!File.Exists(path) || !File.ReadLines(path).Any(line => line.Contains("[sys] Starting process", StringComparison.Ordinal)))
            {
                throw new SecretScanException($"{path} does not hold {resource}'s output.");
            }
        }
    }

    // So the scan cannot pass for want of anything to look for: tokens of authorised connections, and the code and
    // verifier of redirects that tests drove by hand.
    private static void AssertRegisterHolds(long connections, long redirectsByHand)
    {
        var expected = (connections > 0 ? [SecretKind.AccessToken, SecretKind.RefreshToken] : Array.Empty<SecretKind>())
            .Concat(redirectsByHand > 0 ? [SecretKind.AuthorizationCode, SecretKind.PkceVerifier] : []);
        var missing = expected.Where(kind => SeenSecrets.Count(kind) == 0).ToList();
        if (missing.Count > 0)
        {
            throw new SecretScanException($"This run authorised {connections} connections ({redirectsByHand} redirects driven by tests), but no test "
                + $"registered any {string.Join(", ", missing)} (SeenSecrets.AddCallbackAsync, AddTokensAsync): the log scan would prove nothing for them.");
        }
    }

    private static void AssertNoSecretInLogs(TestApp app)
    {
        var findings = SeenSecrets.FindIn(app.LogFiles);
        var counts = string.Join(", ", Enum.GetValues<SecretKind>().Select(kind => $"{SeenSecrets.Count(kind)} {kind}"));
        Console.WriteLine($"Harness: looked for {counts} in the logs of {app.LogFiles.Count} resources; found {findings.Count}");
        if (findings.Count > 0)
        {
            throw new SecretScanException("Secrets seen by tests are in the resources' logs (the secrets are not shown):" + Environment.NewLine
                + string.Join(Environment.NewLine, findings.Select(f => $"  {f.Kind} in {f.Resource}'s log: {f.Secrets} distinct, first at line {f.FirstLine}: {f.MaskedLine}")));
        }
    }
}

[CollectionDefinition(Name)]
public sealed class AppCollection : ICollectionFixture<AppFixture>
{
    public const string Name = "app";
}
