using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Psd2.Core.Banking;

namespace Psd2.Core.Connectors;

/// <summary>
/// Berlin Group NextGenPSD2 AIS reads over the platform's mutual-TLS client: a fresh X-Request-ID per call (logged
/// with the platform's request id), PSU-IP-Address only when the user is present, <c>_links.next</c> followed, and
/// tppMessages mapped to <see cref="ConnectorFailure"/>s.
/// </summary>
public sealed partial class BerlinGroupConnector(HttpClient http, TimeProvider time, ILogger<BerlinGroupConnector> logger) : IBankConnector
{
    public async Task<IReadOnlyList<ConnectorAccount>> GetAccountsAsync(ConnectorSession session, CancellationToken cancellationToken)
    {
        using var body = await GetAsync(session, "/v1/accounts", cancellationToken);
        return body.RootElement.GetProperty("accounts").EnumerateArray().Select(a => new ConnectorAccount(
            a.GetProperty("resourceId").GetString()!, String(a, "iban"), a.GetProperty("currency").GetString()!,
            String(a, "name"), String(a, "product"), String(a, "ownerName"))).ToList();
    }

    public async Task<IReadOnlyList<ConnectorBalance>> GetBalancesAsync(ConnectorSession session, string accountResourceId, CancellationToken cancellationToken)
    {
        using var body = await GetAsync(session, $"/v1/accounts/{Uri.EscapeDataString(accountResourceId)}/balances", cancellationToken);
        return body.RootElement.GetProperty("balances").EnumerateArray().Select(b =>
        {
            var amount = b.GetProperty("balanceAmount");
            return new ConnectorBalance(b.GetProperty("balanceType").GetString()!, Decimal(amount), amount.GetProperty("currency").GetString()!, Date(b, "referenceDate"));
        }).ToList();
    }

    /// <remarks>The next page is requested as soon as its link is known, so the bank works on it while the caller stores this one.</remarks>
    public async IAsyncEnumerable<IReadOnlyList<ConnectorTransaction>> GetTransactionsAsync(
        ConnectorSession session, string accountResourceId, DateOnly dateFrom, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var url = $"/v1/accounts/{Uri.EscapeDataString(accountResourceId)}/transactions?bookingStatus=both"
            + $"&dateFrom={dateFrom.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}";
        var next = GetAsync(session, url, cancellationToken);
        while (next is not null)
        {
            List<ConnectorTransaction> page;
            using (var body = await next)
            {
                next = null;
                var report = body.RootElement.GetProperty("transactions");
                if (report.TryGetProperty("_links", out var links) && links.TryGetProperty("next", out var link) && link.GetProperty("href").GetString() is { } href)
                {
                    next = GetAsync(session, href, cancellationToken);
                }

                page = [];
                foreach (var (list, booked) in new[] { ("booked", true), ("pending", false) })
                {
                    if (report.TryGetProperty(list, out var items) && items.ValueKind == JsonValueKind.Array)
                    {
                        page.AddRange(items.EnumerateArray().Select(t => Transaction(t, booked)));
                    }
                }
            }

            try
            {
                yield return page;
            }
            finally
            {
                // A consumer that stops early (or fails) must not leave a request running unobserved.
                if (next is not null && !next.IsCompleted)
                {
                    await next.ContinueWith(static t => t.Exception, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
                }
            }
        }
    }

    private static ConnectorTransaction Transaction(JsonElement t, bool booked)
    {
        var amount = t.GetProperty("transactionAmount");
        var value = Decimal(amount);
        // The counterparty is whoever is on the other side: the creditor of a payment out, the debtor of one in.
        var (name, account) = value < 0 ? ("creditorName", "creditorAccount") : ("debtorName", "debtorAccount");
        return new ConnectorTransaction(
            t.GetProperty("transactionId").GetString()!, String(t, "entryReference"), booked, value, amount.GetProperty("currency").GetString()!,
            Date(t, "bookingDate"), Date(t, "valueDate"), String(t, name),
            t.TryGetProperty(account, out var reference) ? String(reference, "iban") : null,
            String(t, "remittanceInformationUnstructured"), String(t, "bankTransactionCode"), t.GetRawText());
    }

    private async Task<JsonDocument> GetAsync(ConnectorSession session, string url, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        var bankRequestId = Guid.NewGuid().ToString();
        request.Headers.Add("X-Request-ID", bankRequestId);
        request.Headers.Add("Consent-ID", session.ConsentId);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", session.AccessToken);
        if (session.PsuIpAddress is not null)
        {
            request.Headers.Add("PSU-IP-Address", session.PsuIpAddress);
        }

        Activity.Current?.SetTag("psd2.bank.request_id", bankRequestId);
        var started = Stopwatch.GetTimestamp();
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            // Whatever the transport or the resilience pipeline threw (refused connection, open circuit, timeout).
            LogCall(session.PlatformRequestId, bankRequestId, PathOf(url), 0, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            throw new ConnectorException(ConnectorFailure.Transient, "unreachable", "The bank could not be reached.", inner: e);
        }

        using (response)
        {
            LogCall(session.PlatformRequestId, bankRequestId, PathOf(url), (int)response.StatusCode, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            var content = await response.Content.ReadAsStreamAsync(cancellationToken);
            if (response.IsSuccessStatusCode)
            {
                try
                {
                    return await JsonDocument.ParseAsync(content, cancellationToken: cancellationToken);
                }
                catch (JsonException e)
                {
                    throw new ConnectorException(ConnectorFailure.Transient, "malformed_response", "The bank answered malformed JSON.", inner: e);
                }
            }

            throw Failure(response, await TppCodeAsync(content, cancellationToken));
        }
    }

    private ConnectorException Failure(HttpResponseMessage response, string? code)
    {
        var status = (int)response.StatusCode;
        var failure = code switch
        {
            "CONSENT_EXPIRED" => ConnectorFailure.ConsentExpired,
            "CONSENT_INVALID" or "CONSENT_UNKNOWN" => ConnectorFailure.ConsentInvalid,
            "ACCESS_EXCEEDED" => ConnectorFailure.AccessExceeded,
            "TOKEN_EXPIRED" or "TOKEN_INVALID" => ConnectorFailure.TokenExpired,
            _ when status >= 500 || response.StatusCode == HttpStatusCode.TooManyRequests => ConnectorFailure.Transient,
            _ => ConnectorFailure.Refused,
        };
        var nextAllowed = failure == ConnectorFailure.AccessExceeded
            ? time.GetUtcNow() + (response.Headers.RetryAfter?.Delta ?? (response.Headers.RetryAfter?.Date - time.GetUtcNow()) ?? TimeSpan.FromHours(1))
            : (DateTimeOffset?)null;
        return new ConnectorException(failure, code ?? status.ToString(CultureInfo.InvariantCulture), $"The bank answered {status} {code}.", nextAllowed);
    }

    private static async Task<string?> TppCodeAsync(Stream content, CancellationToken cancellationToken)
    {
        try
        {
            using var body = await JsonDocument.ParseAsync(content, cancellationToken: cancellationToken);
            return body.RootElement.ValueKind == JsonValueKind.Object && body.RootElement.TryGetProperty("tppMessages", out var messages)
                && messages.ValueKind == JsonValueKind.Array && messages.GetArrayLength() > 0 ? String(messages[0], "code") : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string PathOf(string url) => url.Split('?', 2)[0];

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static DateOnly? Date(JsonElement element, string name) =>
        String(element, name) is { } text ? DateOnly.ParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture) : null;

    private static decimal Decimal(JsonElement amount) =>
        decimal.Parse(amount.GetProperty("amount").GetString()!, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);

    [LoggerMessage(Level = LogLevel.Information, Message = "Bank call GET {Path} X-Request-ID {BankRequestId} for {PlatformRequestId}: {Status} in {ElapsedMs:0} ms")]
    private partial void LogCall(string platformRequestId, string bankRequestId, string path, int status, double elapsedMs);
}
