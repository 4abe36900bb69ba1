using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.RegularExpressions;
using Psd2.ServiceDefaults.RequestIds;

namespace Psd2.IntegrationTests.Harness;

/// <summary>Thrown at the end of a run when the api answered a status its OpenAPI document does not declare for the operation.</summary>
public sealed class UndeclaredStatusException(string message) : Exception(message);

/// <summary>
/// Every status the api answered to a client app's requests during the whole run, by operation. When the run ends,
/// <see cref="AppFixture"/> compares them with the served OpenAPI document: an operation that answered a status its
/// document does not declare fails the run, so a generated client is never surprised by what the tests saw.
/// </summary>
internal sealed class AnsweredStatuses : DelegatingHandler
{
    private static readonly ConcurrentDictionary<(string Method, string Path, int Status), int> Seen = new();

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        if (!response.Headers.Contains(RequestIdMiddleware.HeaderName))
        {
            // Not the app's answer: Kestrel refused a request line it could not take (a NUL in the path, too long).
            return response;
        }

        Seen.AddOrUpdate((request.Method.Method.ToLowerInvariant(), request.RequestUri!.AbsolutePath, (int)response.StatusCode), 1, (_, n) => n + 1);
        return response;
    }

    /// <summary>
    /// The answers no operation of the document declares: (operation, status, an example path). Requests that match no
    /// operation (paths the tests make up to probe the api) are not the document's to declare.
    /// </summary>
    public static IReadOnlyList<string> Undeclared(JsonElement document, out int operationsSeen, out int answers)
    {
        var operations = DocumentedOperation.In(document).Select(op => (
                op.Template,
                Pattern: new Regex("^" + Regex.Replace(Regex.Escape(op.Template), @"\\\{[^}]+}", "[^/]+") + "/?$"),
                Method: op.Method.ToLowerInvariant(),
                Declared: op.DeclaredStatuses))
            .ToList();
        var matched = Seen.Keys
            .Select(key => (key, Operation: operations.Where(o => o.Method == key.Method && o.Pattern.IsMatch(key.Path))
                // A literal segment beats a parameter: /v1/users/{userId} must not take /v1/users/x/accounts.
                .OrderBy(o => o.Template.Count(c => c == '{')).Cast<(string Template, Regex Pattern, string Method, IReadOnlySet<string> Declared)?>().FirstOrDefault()))
            .Where(m => m.Operation is not null)
            .ToList();
        operationsSeen = matched.Select(m => (m.Operation!.Value.Method, m.Operation.Value.Template)).Distinct().Count();
        answers = matched.Sum(m => Seen[m.key]);
        return matched
            .Where(m => !m.Operation!.Value.Declared.Contains(m.key.Status.ToString(System.Globalization.CultureInfo.InvariantCulture)))
            .GroupBy(m => $"{m.Operation!.Value.Method.ToUpperInvariant()} {m.Operation.Value.Template} answered {m.key.Status}")
            .Select(g => $"{g.Key} (e.g. {g.First().key.Path})")
            .OrderBy(line => line, StringComparer.Ordinal)
            .ToList();
    }
}
