using System.Security.Cryptography;
using System.Text;
using Hangfire;
using Hangfire.Dashboard;

namespace Psd2.Worker.Scheduling;

/// <summary>
/// Who may open Hangfire's dashboard (<c>Worker:Dashboard</c>): operators, who may also trigger, retry and delete jobs,
/// and viewers, who only look. Each is a password, sent with HTTP Basic authentication (user name
/// <see cref="Operator"/> or <see cref="Viewer"/>); a role without a password cannot sign in. Nobody is let in
/// without one, local requests included.
/// </summary>
public sealed class JobDashboardOptions
{
    public const string Section = "Worker:Dashboard";
    public const string Operator = "operator";
    public const string Viewer = "viewer";

    public string? OperatorPassword { get; set; }
    public string? ViewerPassword { get; set; }
}

public static class JobDashboard
{
    public const string Path = "/hangfire";
    private const string RoleItem = "Psd2.DashboardRole";

    /// <summary>Hangfire's dashboard at <see cref="Path"/>, behind the credentials of <see cref="JobDashboardOptions"/>.</summary>
    public static void MapJobDashboard(this WebApplication app)
    {
        var options = app.Configuration.GetSection(JobDashboardOptions.Section).Get<JobDashboardOptions>() ?? new JobDashboardOptions();
        app.UseWhen(context => context.Request.Path.StartsWithSegments(Path), branch => branch.Use(async (context, next) =>
        {
            if (RoleOf(context.Request.Headers.Authorization.ToString(), options) is not { } role)
            {
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                context.Response.Headers.WWWAuthenticate = "Basic realm=\"Psd2 worker jobs\", charset=\"UTF-8\"";
                return;
            }

            context.Items[RoleItem] = role;
            await next(context);
        }));
        app.MapHangfireDashboard(Path, new DashboardOptions
        {
            DashboardTitle = "Psd2 worker jobs",
            DisplayStorageConnectionString = false,
            Authorization = [new SignedIn()],
            IsReadOnlyFunc = context => context.GetHttpContext().Items[RoleItem] as string != JobDashboardOptions.Operator,
        });
    }

    /// <summary>The role a Basic credential signs in as, or null.</summary>
    public static string? RoleOf(string authorization, JobDashboardOptions options)
    {
        if (!authorization.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        string credential;
        try
        {
            credential = Encoding.UTF8.GetString(Convert.FromBase64String(authorization["Basic ".Length..].Trim()));
        }
        catch (FormatException)
        {
            return null;
        }

        var separator = credential.IndexOf(':');
        if (separator < 0)
        {
            return null;
        }

        var (user, password) = (credential[..separator], credential[(separator + 1)..]);
        return user switch
        {
            JobDashboardOptions.Operator when Matches(password, options.OperatorPassword) => JobDashboardOptions.Operator,
            JobDashboardOptions.Viewer when Matches(password, options.ViewerPassword) => JobDashboardOptions.Viewer,
            _ => null,
        };
    }

    private static bool Matches(string given, string? expected) =>
        !string.IsNullOrEmpty(expected) && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), Encoding.UTF8.GetBytes(expected));

    /// <summary>Lets in what the Basic check above let through.</summary>
    private sealed class SignedIn : IDashboardAuthorizationFilter
    {
        public bool Authorize(DashboardContext context) => context.GetHttpContext().Items.ContainsKey(RoleItem);
    }
}
