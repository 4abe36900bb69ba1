using System.Net;
using System.Text.Json;
using Psd2.IntegrationTests.Harness;

namespace Psd2.IntegrationTests.Dashboard;

/// <summary>A log line a service writes while it serves a request carries that request's trace, and the dashboard links the two.</summary>
[Collection(AppCollection.Name)]
public sealed class StructuredLogTests(AppFixture fixture) : IDisposable
{
    private const string ClientReturn = ApiTestClient.ClientReturn;
    private readonly BankTpp _bank = new(fixture.App);

    [Fact]
    public async Task ALogLineWrittenInsideTheCallbackCarriesItsTraceIdAndLinksToThatTrace()
    {
        using var client = await ApiTestClient.CreateAsync(fixture.App);
        var psu = await _bank.CreatePsuAsync();
        var connection = await client.ConnectAsync(new { institutionId = "sandboxbank", flow = "redirect", redirectUri = ClientReturn });
        var callback = await ApproveAtBankAsync(connection.GetProperty("authorisationUrl").GetString()!, psu.PersonalNumber);

        // The caller starts the trace (W3C traceparent), so the test knows its id before any telemetry exists.
        var traceId = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray());
        using var browser = fixture.App.CreateHttpClient("api", followRedirects: false);
        using var request = new HttpRequestMessage(HttpMethod.Get, callback);
        request.Headers.Add("traceparent", $"00-{traceId}-{Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()[..8])}-01");
        using var back = await browser.SendAsync(request);
        Assert.Equal(HttpStatusCode.Redirect, back.StatusCode);
        await SeenSecrets.AddTokensAsync(fixture.App, connection.GetProperty("id").GetGuid());

        // Activating the connection lists its accounts at the bank, which the api logs while it serves the callback.
        using var dashboard = fixture.App.CreateDashboardClient();
        var logs = await DashboardData.WaitForAsync(dashboard, $"/api/logs?resource=api&text={Uri.EscapeDataString("Bank call GET")}&traceId={traceId}",
            found => found.GetArrayLength() > 0);
        var log = logs[0];
        Assert.Equal(traceId, log.GetProperty("traceId").GetString());
        Assert.Equal("api", log.GetProperty("resource").GetString());
        Assert.Equal("Information", log.GetProperty("level").GetString());
        Assert.StartsWith("Bank call GET /v1/accounts", log.GetProperty("message").GetString(), StringComparison.Ordinal);
        var spanId = log.GetProperty("spanId").GetString()!;
        Assert.Equal($"/traces/{traceId}#span-{spanId}", log.GetProperty("traceUrl").GetString());

        // The link leads to the trace, which holds the span the line was written in and lists the line among its logs.
        var trace = await DashboardData.WaitForSettledTraceAsync(dashboard, traceId, t =>
            DashboardData.Spans(t).Any(s => s.GetProperty("spanId").GetString() == spanId)
            && DashboardData.Spans(t).Any(s => s.GetProperty("name").GetString() == "GET /connect/callback"));
        Assert.Equal("GET /connect/callback", DashboardData.Spans(trace).First().GetProperty("name").GetString());
        Assert.Contains(trace.GetProperty("logs").EnumerateArray(), l => l.GetProperty("sequence").GetInt64() == log.GetProperty("sequence").GetInt64());
        var page = await dashboard.GetStringAsync($"/traces/{traceId}");
        Assert.Contains($"id=\"span-{spanId}\"", page, StringComparison.Ordinal);
        var logsPage = await dashboard.GetStringAsync($"/structured-logs?resource=api&traceId={traceId}");
        Assert.Contains($"href=\"/traces/{traceId}#span-{spanId}\"", logsPage, StringComparison.Ordinal);

        // What the dashboard holds of the trace gives away neither the code nor the PKCE verifier the callback carried.
        var code = BankTpp.Query(callback, "code")!;
        Assert.DoesNotContain(code, trace.GetRawText(), StringComparison.Ordinal);
        Assert.DoesNotContain(code, page, StringComparison.Ordinal);
    }

    private async Task<Uri> ApproveAtBankAsync(string authorisationUrl, string personalNumber)
    {
        using var signIn = await _bank.Browser.GetAsync(authorisationUrl);
        Assert.Equal(HttpStatusCode.OK, signIn.StatusCode);
        using var bankId = await _bank.SubmitFormAsync(await signIn.Content.ReadAsStringAsync(), new() { ["personalNumber"] = personalNumber });
        using var decided = await _bank.SubmitFormAsync(await bankId.Content.ReadAsStringAsync(), new() { ["decision"] = "approve" });
        Assert.Equal(HttpStatusCode.Redirect, decided.StatusCode);
        await SeenSecrets.AddCallbackAsync(fixture.App, decided.Headers.Location!);
        return decided.Headers.Location!;
    }

    public void Dispose() => _bank.Dispose();
}
