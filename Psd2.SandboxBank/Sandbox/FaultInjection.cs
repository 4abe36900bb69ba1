using System.Globalization;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Psd2.SandboxBank.Accounts;
using Psd2.SandboxBank.BerlinGroup;
using Psd2.SandboxBank.OAuth;
using Psd2.SandboxBank.Time;
using Psd2.SandboxBank.Stet;
using Psd2.SandboxBank.UkOpenBanking;

namespace Psd2.SandboxBank.Sandbox;

/// <summary>Applies the fault profiles to TPP requests that passed the certificate and header checks.</summary>
public static class FaultInjection
{
    private static readonly TimeSpan LongestHang = TimeSpan.FromMinutes(5);

    public static void UseSandboxFaults(this WebApplication app) => app.Use(async (context, next) =>
    {
        var endpoint = EndpointOf(context.Request.Path);
        var faults = context.RequestServices.GetRequiredService<IOptionsMonitor<FaultOptions>>().CurrentValue.Endpoints;
        if (endpoint is null || faults.Count == 0)
        {
            await next(context);
            return;
        }

        var rule = await ApplicableAsync(faults, endpoint, context);
        if (rule is null)
        {
            await next(context);
            return;
        }

        if (rule.LatencyMilliseconds > 0)
        {
            await Task.Delay(rule.LatencyMilliseconds, context.RequestAborted);
        }

        var now = context.RequestServices.GetRequiredService<BankClock>().GetUtcNow();
        if (rule.MaintenanceFrom <= now && now < rule.MaintenanceUntil)
        {
            await new TppError(503, "SERVICE_UNAVAILABLE", "The bank is in a maintenance window.")
            {
                RetryAfterSeconds = (int)Math.Ceiling((rule.MaintenanceUntil.Value - now).TotalSeconds),
            }.ExecuteAsync(context);
            return;
        }

        if (Hit(rule.DropRate))
        {
            context.Abort();
            return;
        }

        if (Hit(rule.AcceptThenDropRate))
        {
            // The answer goes nowhere: the request is handled to the end, then the connection is cut before a byte is sent.
            context.Features.Set<IHttpResponseBodyFeature>(new StreamResponseBodyFeature(Stream.Null));
            try
            {
                await next(context);
            }
            finally
            {
                context.Abort();
            }

            return;
        }

        if (Hit(rule.TimeoutRate))
        {
            // Hangs until the client gives up, as a bank behind a stuck load balancer does.
            await Task.Delay(LongestHang, context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
            context.Abort();
            return;
        }

        TppError? error = true switch
        {
            _ when Hit(rule.ErrorRate) => new TppError(500, "INTERNAL_SERVER_ERROR", "Simulated internal error."),
            _ when Hit(rule.UnavailableRate) => new TppError(503, "SERVICE_UNAVAILABLE", "Simulated outage.") { RetryAfterSeconds = rule.RetryAfterSeconds },
            _ when Hit(rule.TooManyRequestsRate) => new TppError(429, "ACCESS_EXCEEDED", "Simulated throttling.") { RetryAfterSeconds = rule.RetryAfterSeconds },
            _ => null,
        };
        if (error is not null)
        {
            await error.ExecuteAsync(context);
            return;
        }

        if (Hit(rule.MalformedJsonRate))
        {
            context.Response.StatusCode = StatusCodes.Status200OK;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("{\"truncated\": [{\"amount\": ", context.RequestAborted);
            return;
        }

        await next(context);
    });

    /// <summary>The endpoint names fault profiles are keyed by, the same in every dialect.</summary>
    public static string? EndpointOf(PathString path)
    {
        if (path.StartsWithSegments("/oauth2/token"))
        {
            return "token";
        }

        if (!path.StartsWithSegments("/v1", out var rest) && !path.StartsWithSegments(OpenBankingPaths.Base, out rest)
            && !path.StartsWithSegments(StetPaths.Base, out rest))
        {
            return null;
        }

        var segments = rest.Value!.Split('/', StringSplitOptions.RemoveEmptyEntries);
        return segments switch
        {
            ["payments", _] => "payments",
            ["payments", ..] => "payment",
            ["consents", _, "authorisations", ..] => "authorisations",
            ["consents" or "account-access-consents", ..] => "consents",
            ["accounts"] => "accounts",
            ["accounts", _] => "account",
            ["accounts", _, var sub] => sub,
            _ => null,
        };
    }

    private static async Task<FaultRule?> ApplicableAsync(Dictionary<string, FaultRule> faults, string endpoint, HttpContext context)
    {
        var rule = faults.GetValueOrDefault(endpoint) ?? faults.GetValueOrDefault("*");
        if (rule is null)
        {
            return null;
        }

        if (rule.OnlyConsentId is { } consentId && consentId != await ConsentIdOfAsync(context))
        {
            return null;
        }

        if (rule.OnlyPage is { } page && page != PageOf(context))
        {
            return null;
        }

        return rule;
    }

    private static async Task<string?> ConsentIdOfAsync(HttpContext context)
    {
        if (context.Request.Headers["Consent-ID"] is { Count: 1 } header)
        {
            return header.ToString();
        }

        var segments = context.Request.Path.Value!.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments is ["v1", "consents", var id, ..])
        {
            return id;
        }

        if (segments is ["open-banking", _, "aisp", "account-access-consents", var consentId, ..])
        {
            return consentId;
        }

        // A UK or STET account read names its consent only through its access token.
        var authorization = context.Request.Headers.Authorization.ToString();
        if ((OpenBankingPaths.IsOpenBankingPath(context.Request.Path) || StetPaths.IsStetPath(context.Request.Path)) && authorization.StartsWith("Bearer ", StringComparison.Ordinal) && authorization.Length <= 200)
        {
            var token = await context.RequestServices.GetRequiredService<TokenStore>().FindBearerAsync(authorization["Bearer ".Length..].Trim(), context.RequestAborted);
            return token?.ConsentId;
        }

        return null;
    }

    private static int PageOf(HttpContext context)
    {
        var key = context.Request.Query["pageKey"].ToString();
        return key.Length == 0 ? 1 : context.RequestServices.GetRequiredService<PageKeys>().Unprotect(key)?.Page ?? 1;
    }

    private static bool Hit(double rate) => rate > 0 && Random.Shared.NextDouble() < rate;

    /// <summary>A rule as configuration keys, so it lands in <see cref="RuntimeSettings"/> and binds back into <see cref="FaultOptions"/>.</summary>
    public static Dictionary<string, string?> ToSettings(FaultRule rule) => new()
    {
        ["ErrorRate"] = Invariant(rule.ErrorRate),
        ["UnavailableRate"] = Invariant(rule.UnavailableRate),
        ["TooManyRequestsRate"] = Invariant(rule.TooManyRequestsRate),
        ["RetryAfterSeconds"] = Invariant(rule.RetryAfterSeconds),
        ["LatencyMilliseconds"] = Invariant(rule.LatencyMilliseconds),
        ["TimeoutRate"] = Invariant(rule.TimeoutRate),
        ["DropRate"] = Invariant(rule.DropRate),
        ["MalformedJsonRate"] = Invariant(rule.MalformedJsonRate),
        ["AcceptThenDropRate"] = Invariant(rule.AcceptThenDropRate),
        ["MaintenanceFrom"] = rule.MaintenanceFrom?.ToString("O", CultureInfo.InvariantCulture),
        ["MaintenanceUntil"] = rule.MaintenanceUntil?.ToString("O", CultureInfo.InvariantCulture),
        ["OnlyPage"] = rule.OnlyPage?.ToString(CultureInfo.InvariantCulture),
        ["OnlyConsentId"] = rule.OnlyConsentId,
    };

    private static string Invariant(IFormattable value) => value.ToString(null, CultureInfo.InvariantCulture);
}
