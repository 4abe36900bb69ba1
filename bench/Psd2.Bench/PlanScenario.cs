using Psd2.IntegrationTests.Harness;
using System.Diagnostics;
using Microsoft.Extensions.Options;
using Npgsql;
using Psd2.Core.Banking;
using Psd2.Core.Refresh;

namespace Psd2.Bench;

/// <summary>
/// Planning: 10,000 active connections of one user, with no plan yet, given their next refresh slot and consent
/// check by the worker's planner (set-based: a keyset read and one <c>UPDATE ... FROM unnest</c> per batch), then all
/// planned again. Reports time, database round trips, and how evenly the slots spread over the bank day. The
/// worker replicas are stopped first, so the measured planner is the only one.
/// </summary>
public static class PlanScenario
{
    private const int Connections = 10_000;

    public static async Task<bool> RunAsync(TestApp app, CancellationToken cancellationToken)
    {
        foreach (var worker in app.ResourceNames.Where(name => name.StartsWith("worker", StringComparison.Ordinal)))
        {
            await app.StopResourceAsync(worker);
        }

        using var platform = await PlatformApi.CreateAsync(app, cancellationToken);
        await using var dataSource = NpgsqlDataSource.Create(app.GetConnectionString("psd2db"));
        await using (var insert = dataSource.CreateCommand("""
            INSERT INTO connections (id, client_app_id, user_id, institution_id, flow, status, frequency_per_day, requested_valid_until, valid_until,
                                     created_at, updated_at, status_changed_at)
            SELECT gen_random_uuid(), u.client_app_id, u.id, 'sandboxbank', 'decoupled', 'active', 4, current_date + 90, current_date + 90, now(), now(), now()
            FROM users u, generate_series(1, $2) WHERE u.id = $1
            """))
        {
            insert.Parameters.Add(new() { Value = platform.UserId });
            insert.Parameters.Add(new() { Value = Connections });
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var analyze = dataSource.CreateCommand("ANALYZE connections"))
        {
            await analyze.ExecuteNonQueryAsync(cancellationToken);
        }

        var institutions = Options.Create(new InstitutionOptions { Banks = { ["sandboxbank"] = new Institution { Name = "Sandbox Bank", Standard = "berlin-group", Service = "sandboxbank" } } });
        var refresh = Options.Create(new RefreshOptions());
        var planner = new RefreshPlanner(dataSource, new RefreshCalendar(institutions, refresh), refresh, TimeProvider.System);

        var clock = Stopwatch.StartNew();
        var first = await planner.PlanAsync(replanAll: false, cancellationToken);
        var firstTime = clock.Elapsed;
        clock.Restart();
        var again = await planner.PlanAsync(replanAll: true, cancellationToken);
        var againTime = clock.Elapsed;

        // The spread: slots per hour of the bank day over the next 24 hours.
        await using var spread = dataSource.CreateCommand("""
            SELECT count(*) FROM connections WHERE user_id = $1 AND next_refresh_at < now() + interval '24 hours'
            GROUP BY date_trunc('hour', next_refresh_at) ORDER BY 1
            """);
        spread.Parameters.Add(new() { Value = platform.UserId });
        var perHour = new List<long>();
        await using (var reader = await spread.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                perHour.Add(reader.GetInt64(0));
            }
        }

        Console.WriteLine();
        Program.Line("Plan", $"{first.Planned:N0} new connections planned in {firstTime.TotalMilliseconds:N0} ms, {first.RoundTrips} database round trips "
            + $"({Connections / firstTime.TotalSeconds:N0} connections/s)");
        Program.Line("Replan", $"all {again.Planned:N0} planned again in {againTime.TotalMilliseconds:N0} ms, {again.RoundTrips} round trips");
        // The first and last hours are partial: now falls inside the first, and the last slot inside the last.
        var fullHours = perHour.Skip(1).SkipLast(1).ToList();
        Program.Line("Spread", fullHours.Count == 0 ? "too few hours with slots to tell"
            : $"next slots per full hour: min {fullHours.Min():N0}, max {fullHours.Max():N0} over {fullHours.Count} hours (even: {Connections / 23.5 * 4:N0})");
        return first.Planned == Connections && again.Planned == Connections;
    }
}
