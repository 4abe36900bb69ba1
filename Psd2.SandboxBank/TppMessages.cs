namespace Psd2.SandboxBank;

/// <summary>Berlin Group error bodies: <c>{"tppMessages":[{"category":"ERROR","code":...,"text":...}]}</c>.</summary>
public static class TppMessages
{
    public static Task WriteAsync(HttpContext context, int status, string code, string text)
    {
        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(
            new { tppMessages = new[] { new { category = "ERROR", code, text } } },
            context.RequestAborted);
    }
}
