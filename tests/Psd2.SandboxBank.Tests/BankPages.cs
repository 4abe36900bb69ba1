using System.Buffers.Text;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Psd2.SandboxBank.Tests;

/// <summary>
/// The PSU's browser on the bank's pages, whatever the standard: the authorisation request with PKCE, the sign-in and
/// BankID pages, and their forms posted with their hidden fields (the antiforgery token among them).
/// </summary>
public static partial class BankPages
{
    /// <summary>A fresh PKCE pair (S256): the verifier the TPP keeps and the challenge it sends.</summary>
    public static (string Verifier, string Challenge) NewPkce()
    {
        var verifier = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        return (verifier, Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))));
    }

    /// <summary>The browser sent to /oauth2/authorize with plain query parameters; answers the bank's first response.</summary>
    public static async Task<HttpResponseMessage> AuthorizeAsync(
        HttpClient browser, IEnumerable<KeyValuePair<string, string>> parameters, CancellationToken cancellationToken = default) =>
        await browser.GetAsync("/oauth2/authorize?" + string.Join('&', parameters.Select(p => $"{p.Key}={Uri.EscapeDataString(p.Value)}")), cancellationToken);

    /// <summary>The PSU's two steps on the bank's pages; answers where the bank finally sends the browser.</summary>
    public static async Task<Uri> SignInAndDecideAsync(HttpClient browser, string signInPage, string personalNumber, string decision, CancellationToken cancellationToken) =>
        await DecideAsync(browser, await SignInAsync(browser, signInPage, personalNumber, cancellationToken), decision, cancellationToken);

    /// <summary>The PSU gives its personal number on the sign-in page; answers the BankID page that follows.</summary>
    public static async Task<string> SignInAsync(HttpClient browser, string signInPage, string personalNumber, CancellationToken cancellationToken)
    {
        using var bankId = await PostFormAsync(browser, signInPage, new() { ["personalNumber"] = personalNumber }, cancellationToken);
        Assert.Equal(HttpStatusCode.OK, bankId.StatusCode);
        return await bankId.Content.ReadAsStringAsync(cancellationToken);
    }

    /// <summary>The PSU approves or denies on the BankID page; answers where the bank sends the browser.</summary>
    public static async Task<Uri> DecideAsync(HttpClient browser, string bankIdPage, string decision, CancellationToken cancellationToken)
    {
        using var decided = await PostFormAsync(browser, bankIdPage, new() { ["decision"] = decision }, cancellationToken);
        Assert.Equal(HttpStatusCode.Redirect, decided.StatusCode);
        return decided.Headers.Location!;
    }

    /// <summary>Posts the page's (first) form with its hidden fields and <paramref name="fields"/>.</summary>
    public static Task<HttpResponseMessage> PostFormAsync(HttpClient browser, string page, Dictionary<string, string> fields, CancellationToken cancellationToken) =>
        PostAsync(browser, WebUtility.HtmlDecode(FormAction().Match(page).Groups[1].Value), page, fields, cancellationToken);

    /// <summary>Posts the page's form whose action is <paramref name="action"/>, with its hidden fields and <paramref name="fields"/>.</summary>
    public static Task<HttpResponseMessage> SubmitAsync(HttpClient browser, string page, string action, Dictionary<string, string> fields, CancellationToken cancellationToken)
    {
        var start = page.IndexOf($"action=\"{action}\"", StringComparison.Ordinal);
        Assert.True(start >= 0, $"no form posting to {action}");
        return PostAsync(browser, action, page[start..page.IndexOf("</form>", start, StringComparison.Ordinal)], fields, cancellationToken);
    }

    private static async Task<HttpResponseMessage> PostAsync(HttpClient browser, string action, string form, Dictionary<string, string> fields, CancellationToken cancellationToken)
    {
        foreach (Match hidden in HiddenInput().Matches(form))
        {
            fields.TryAdd(WebUtility.HtmlDecode(hidden.Groups[1].Value), WebUtility.HtmlDecode(hidden.Groups[2].Value));
        }

        return await browser.PostAsync(action, new FormUrlEncodedContent(fields), cancellationToken);
    }

    [GeneratedRegex("<form[^>]*action=\"([^\"]+)\"")]
    private static partial Regex FormAction();

    [GeneratedRegex("<input type=\"hidden\" name=\"([^\"]+)\" value=\"([^\"]*)\"")]
    private static partial Regex HiddenInput();
}
