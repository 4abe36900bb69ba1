using Microsoft.AspNetCore.Http.HttpResults;

namespace Psd2.Api.Connect;

/// <summary>Server-rendered pages as endpoint results.</summary>
public static class PageResults
{
    public static RazorComponentResult Page<TComponent>(object parameters, int status = StatusCodes.Status200OK)
        where TComponent : Microsoft.AspNetCore.Components.IComponent =>
        new RazorComponentResult<TComponent>(parameters) { StatusCode = status };

    public static RazorComponentResult Notice(string title, string message, int status) =>
        Page<NoticePage>(new { Title = title, Message = message }, status);
}
