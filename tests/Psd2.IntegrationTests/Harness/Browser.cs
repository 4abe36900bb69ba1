using Microsoft.Playwright;

namespace Psd2.IntegrationTests.Harness;

/// <summary>
/// A real browser for tests that walk the pages as an end user: the machine's headless Chromium driven by
/// Playwright, trusting the sandbox bank's TLS certificate as a user would click through it, and saving full-page
/// screenshots under artifacts/screenshots for people to look at.
/// </summary>
public sealed class Browser : IAsyncDisposable
{
    public const string ChromiumPath = "/usr/bin/chromium";
    public static readonly string ScreenshotFolder = Path.Combine(Repository.Root, "artifacts", "screenshots");

    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;

    private Browser(IPlaywright playwright, IBrowser browser, IPage page)
    {
        _playwright = playwright;
        _browser = browser;
        Page = page;
    }

    public IPage Page { get; }

    /// <param name="credentials">Sent when a page asks for HTTP authentication.</param>
    public static async Task<Browser> StartAsync(HttpCredentials? credentials = null)
    {
        var playwright = await Playwright.CreateAsync();
        try
        {
            // Tests run as root, where Chromium's own sandbox cannot start.
            var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = ChromiumPath, Headless = true, Args = ["--no-sandbox"] });
            var context = await browser.NewContextAsync(new()
            {
                IgnoreHTTPSErrors = true, Locale = "en-GB", ViewportSize = new() { Width = 1024, Height = 768 }, HttpCredentials = credentials,
            });
            // Pages here run behind a bank and a database on a small machine: give each step room.
            context.SetDefaultTimeout(15_000);
            Assertions.SetDefaultExpectTimeout(15_000);
            return new Browser(playwright, browser, await context.NewPageAsync());
        }
        catch
        {
            playwright.Dispose();
            throw;
        }
    }

    /// <summary>Saves the whole current page as artifacts/screenshots/<paramref name="name"/>.png.</summary>
    public async Task ScreenshotAsync(string name)
    {
        Directory.CreateDirectory(ScreenshotFolder);
        await Page.ScreenshotAsync(new() { Path = Path.Combine(ScreenshotFolder, name + ".png"), FullPage = true });
    }

    public async ValueTask DisposeAsync()
    {
        await _browser.CloseAsync();
        _playwright.Dispose();
    }
}
