using System.Diagnostics;
using Psd2.ServiceDefaults.Telemetry;

namespace Psd2.ServiceDefaults.Tests;

public sealed class SecretRedactionTests
{
    [Fact]
    public void Query_values_are_redacted_and_their_names_kept()
    {
        using var activity = new Activity("GET /connect/callback");
        activity.SetTag("url.query", "?code=Zq3-secret&state=s7_secret&iss=https%3A%2F%2Fbank");
        activity.SetTag("url.full", "https://bank.test/oauth2/token?code=Zq3-secret");

        new SecretRedactionProcessor().OnEnd(activity);

        Assert.Equal("?code=REDACTED&state=REDACTED&iss=REDACTED", activity.GetTagItem("url.query"));
        Assert.Equal("https://bank.test/oauth2/token?code=REDACTED", activity.GetTagItem("url.full"));
    }

    [Theory]
    [InlineData("/connect/{token}", "/connect/1L0ngSecretT0ken")]
    [InlineData("/connect/sessions/{sessionToken}", "/connect/sessions/An0therSecret")]
    public void A_token_route_shows_the_route_not_the_path(string route, string path)
    {
        using var activity = new Activity("GET " + route);
        activity.SetTag("http.route", route);
        activity.SetTag("url.path", path);

        new SecretRedactionProcessor().OnEnd(activity);

        Assert.Equal(route, activity.GetTagItem("url.path"));
    }

    [Fact]
    public void Other_paths_and_urls_without_a_query_stay_as_they_are()
    {
        using var activity = new Activity("GET /v1/connections/{connectionId}");
        activity.SetTag("http.route", "/v1/connections/{connectionId:guid}");
        activity.SetTag("url.path", "/v1/connections/6a26944d-2556-44cf-b5de-3ae71a9a1a56");
        activity.SetTag("url.full", "https://bank.test/v1/accounts");

        new SecretRedactionProcessor().OnEnd(activity);

        Assert.Equal("/v1/connections/6a26944d-2556-44cf-b5de-3ae71a9a1a56", activity.GetTagItem("url.path"));
        Assert.Equal("https://bank.test/v1/accounts", activity.GetTagItem("url.full"));
    }
}
