using Microsoft.AspNetCore.Http.HttpResults;

namespace Psd2.SandboxBank.Pages;

/// <summary>Server-rendered pages as endpoint results.</summary>
public static class PageResults
{
    public static RazorComponentResult Page<TComponent>(object parameters, int status = StatusCodes.Status200OK)
        where TComponent : Microsoft.AspNetCore.Components.IComponent =>
        new RazorComponentResult<TComponent>(parameters) { StatusCode = status };

    public static RazorComponentResult Message(string title, string message, int status = StatusCodes.Status200OK) =>
        Page<MessagePage>(new { Title = title, Message = message, IsError = status >= 400 }, status);
}
