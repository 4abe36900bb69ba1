using Psd2.IntegrationTests.Harness;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Npgsql;

namespace Psd2.Bench;

/// <summary>
/// Payments: SEPA credit transfers initiated per second through the platform (<c>POST /v1/users/{id}/payments</c>, a
/// fresh Idempotency-Key each: the intent stored, the signed initiation at the bank, the bank's answer recorded),
/// beside the bank's own rate for the same initiation sent to it directly by a TPP (signed, a fresh X-Request-ID each),
/// in the same run. SCA is skipped through the bank's sandbox profile, so each payment executes on initiation.
/// </summary>
public static class PaymentScenario
{
    private const string Creditor = "SE3550000000054910000003";

    public static async Task<bool> RunAsync(TestApp app, BenchOptions options, string psu, CpuSampler cpu, CancellationToken cancellationToken)
    {
        using var tpp = new SandboxTpp(app);
        using (var profile = await tpp.Admin.PutAsJsonAsync("/sandbox/profile", new { skipPaymentSca = true }, cancellationToken))
        {
            profile.EnsureSuccessStatusCode();
        }

        var account = (await tpp.AdminGetAsync($"/sandbox/psus/{psu}", cancellationToken)).GetProperty("accounts")[0];
        var (iban, currency) = (account.GetProperty("iban").GetString()!, account.GetProperty("currency").GetString()!);
        Program.Line("Payments", $"0.01 {currency} each from {iban} (PSU {psu}), SCA skipped by the bank's sandbox profile");

        var bankBody = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new
        {
            debtorAccount = new { iban }, instructedAmount = new { currency, amount = "0.01" }, creditorAccount = new { iban = Creditor },
            creditorName = "Bench Payee AB", remittanceInformationUnstructured = "bench",
        }));
        using var bankClient = tpp.CreateLoadClient(options.Concurrency);
        var bank = await MeasureAsync("Bank", bankClient, () =>
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/v1/payments/sepa-credit-transfers") { Content = new ByteArrayContent(bankBody) };
            request.Content.Headers.ContentType = new("application/json");
            request.Headers.Add("X-Request-ID", Guid.NewGuid().ToString());
            request.Headers.Add("PSU-IP-Address", SandboxTpp.PsuIpAddress);
            request.Headers.Add("PSU-ID", psu);
            request.Headers.Add("TPP-Decoupled-Preferred", "true");
            return request;
        }, options.Concurrency, options, cpu, cancellationToken);

        using var platform = await PlatformApi.CreateAsync(app, cancellationToken);
        var platformBody = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new
        {
            institutionId = "sandboxbank", debtorIban = iban, creditorName = "Bench Payee AB", creditorIban = Creditor, amount = "0.01", currency,
            remittance = "bench", flow = "decoupled", psuId = psu, psuIpAddress = SandboxTpp.PsuIpAddress,
        }));
        using var apiClient = platform.CreateLoadClient(app, options.ApiConcurrency);
        var path = $"/v1/users/{platform.UserId}/payments";
        var through = await MeasureAsync("Platform", apiClient, () =>
        {
            var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(platformBody) };
            request.Content.Headers.ContentType = new("application/json");
            request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
            return request;
        }, options.ApiConcurrency, options, cpu, cancellationToken);

        var statuses = await StatusesAsync(app, platform.UserId, cancellationToken);
        Program.Line("Statuses", string.Join(", ", statuses.Select(s => $"{s.Key} {s.Value:N0}")) + " (platform payments, warm-up included)");
        Console.WriteLine();
        Console.WriteLine($"Payments through the platform: {through.RequestsPerSecond:N0}/s, {100 * through.RequestsPerSecond / bank.RequestsPerSecond:0.0} % "
            + $"of the bank's own {bank.RequestsPerSecond:N0}/s");
        return bank.Errors == 0 && through.Errors == 0 && statuses.Keys.All(s => s == "executed");
    }

    private static async Task<ScenarioResult> MeasureAsync(
        string label, HttpClient client, Func<HttpRequestMessage> request, int concurrency, BenchOptions options, CpuSampler cpu, CancellationToken cancellationToken)
    {
        await LoadRunner.RunAsync(client, request, concurrency, options.Warmup, cancellationToken);
        Program.Line("Settled", await CpuSampler.SettleAsync(cancellationToken));
        var before = cpu.Take();
        var result = await LoadRunner.RunAsync(client, request, concurrency, options.Duration, cancellationToken);
        var (cores, busy) = CpuSampler.Between(before, cpu.Take(), result.Elapsed);
        Program.Line(label, $"{result.RequestsPerSecond:N0} payments/s, p50 {result.Percentile(50):0.0} ms, p99 {result.Percentile(99):0.0} ms, "
            + $"{result.Errors} errors{(result.FirstError is null ? "" : $" (first: {result.FirstError})")}; machine {busy:0} % busy");
        Program.Line("CPU", string.Join(", ", cores.Where(c => c.Value >= 0.005)
            .Select(c => $"{c.Key} {c.Value:0.00} cores ({1000 * c.Value / Math.Max(result.RequestsPerSecond, 1):0.00} ms/payment)")));
        return result;
    }

    private static async Task<Dictionary<string, long>> StatusesAsync(TestApp app, Guid userId, CancellationToken cancellationToken)
    {
        await using var db = new NpgsqlConnection(app.GetConnectionString("psd2db"));
        await db.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("SELECT status, count(*) FROM payments WHERE user_id = $1 GROUP BY status", db) { Parameters = { new() { Value = userId } } };
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var statuses = new Dictionary<string, long>();
        while (await reader.ReadAsync(cancellationToken))
        {
            statuses[reader.GetString(0)] = reader.GetInt64(1);
        }

        return statuses;
    }
}
