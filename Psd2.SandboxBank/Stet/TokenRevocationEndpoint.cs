using Psd2.SandboxBank.Consents;
using Psd2.SandboxBank.OAuth;
using Psd2.SandboxBank.Tls;

namespace Psd2.SandboxBank.Stet;

/// <summary>
/// POST /oauth2/revoke (RFC 7009) on the mutual-TLS endpoint, the client being the TPP its QWAC names
/// (tls_client_auth). Revoking any token of a grant revokes the whole family and ends its consent as terminated by
/// the TPP, which is how a STET TPP gives a consent up. A token the bank does not know, or another TPP's, answers
/// 200 as well: the RFC has the client learn nothing from it.
/// </summary>
public static class TokenRevocationEndpoint
{
    public static void MapTokenRevocationEndpoint(this IEndpointRouteBuilder app) =>
        app.MapPost("/oauth2/revoke", RevokeAsync).WithName("Revoke").WithTags("OAuth").DisableAntiforgery();

    private static async Task<IResult> RevokeAsync(HttpContext context, TokenStore tokens, ConsentStore consents)
    {
        context.Response.Headers.CacheControl = "no-store";
        if (!context.Request.HasFormContentType)
        {
            return TokenEndpoint.Error("invalid_request", "The body must be application/x-www-form-urlencoded.");
        }

        IFormCollection form;
        try
        {
            form = await context.Request.ReadFormAsync(context.RequestAborted);
        }
        catch (Exception e) when (e is InvalidDataException or BadHttpRequestException)
        {
            return TokenEndpoint.Error("invalid_request", "The form could not be read.");
        }

        var tpp = context.Tpp();
        if (form["client_id"] is { Count: > 0 } clientId && clientId.ToString() != tpp.OrganizationId)
        {
            return TokenEndpoint.Error("invalid_client", "client_id does not match the TLS client certificate.", StatusCodes.Status401Unauthorized);
        }

        var token = form["token"] is { Count: 1 } value ? value.ToString() : "";
        if (token.Length is 0 or > 512)
        {
            return TokenEndpoint.Error("invalid_request", "token is required.");
        }

        // token_type_hint only speeds up a search; the bank finds any kind of token by its hash alone.
        var found = await tokens.FindRevocableAsync(token, context.RequestAborted);
        if (found is not null && found.TppId == tpp.OrganizationId)
        {
            await tokens.RevokeFamilyAsync(found.FamilyId, context.RequestAborted);
            if (found.ConsentId is { } consentId)
            {
                await consents.EndAsync(consentId, ConsentStatus.TerminatedByTpp, context.RequestAborted);
            }
        }

        return Results.Ok();
    }
}
