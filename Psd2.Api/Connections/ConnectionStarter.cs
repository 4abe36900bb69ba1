using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Psd2.Api.Banking;
using Psd2.Api.ClientApps;
using Psd2.Core.Audit;
using Psd2.Core.Banking;
using Psd2.Core.Connections;
using Psd2.Core.Connectors;
using Psd2.Core.Events;
using Psd2.Core.Persistence;

namespace Psd2.Api.Connections;

/// <summary>What a client (through the API or the Connect page) asks for when it connects a user's bank.</summary>
public sealed record ConnectionRequest(
    string? InstitutionId, string? Flow, string? RedirectUri, string? PsuId, int? ValidDays, int? FrequencyPerDay, IReadOnlyList<string>? Access = null);

/// <summary>A connection started at the bank: the redirect flow's authorisation URL, or the decoupled order waiting on the PSU's phone.</summary>
public sealed record StartedConnection(Connection Connection, string? AuthorisationUrl);

/// <summary>
/// Starts a connection: checks the request against the institution and the client app's allow-list, creates the
/// consent at the bank and either prepares the redirect (state and PKCE verifier kept server-side) or leaves the
/// decoupled order to <see cref="DecoupledAuthorisationPoller"/>. A bank that fails leaves a failed connection behind,
/// never a half-made one.
/// </summary>
public sealed partial class ConnectionStarter(
    Psd2DbContext db, IOptions<InstitutionOptions> institutions, BankClients banks, AuthorizationStates states,
    TppIdentity tpp, IOptions<ApiOptions> api, DecoupledAuthorisationPoller poller, TimeProvider time, ILogger<ConnectionStarter> logger)
{
    /// <param name="returnTo">Where the callback sends the browser instead of the client's redirect URI (the Connect page's result page).</param>
    /// <param name="renews">The connection this one renews.</param>
    public async Task<(StartedConnection? Started, ApiError? Error)> StartAsync(
        Guid clientAppId, Guid userId, ConnectionRequest request, string? requestId, CancellationToken cancellationToken,
        string? returnTo = null, Connection? renews = null)
    {
        if (request.InstitutionId is null || !institutions.Value.Banks.TryGetValue(request.InstitutionId, out var institution))
        {
            return Refuse("institution_unknown", "institutionId names no institution on offer (GET /v1/institutions).");
        }

        var flow = request.Flow ?? ConnectionFlow.Redirect;
        if (flow is not (ConnectionFlow.Redirect or ConnectionFlow.Decoupled) || !institution.ScaApproaches.Contains(flow))
        {
            return Refuse("flow_not_supported", $"flow must be one of the institution's SCA approaches: {string.Join(", ", institution.ScaApproaches)}.");
        }

        // Required for a redirect; optional for a decoupled connection, but then registered too.
        if ((flow == ConnectionFlow.Redirect || request.RedirectUri is not null) && !await db.IsRegisteredAsync(clientAppId, request.RedirectUri, cancellationToken))
        {
            return (null, RegisteredRedirectUris.NotAllowed);
        }

        if (flow == ConnectionFlow.Decoupled && !IsPsuId(request.PsuId))
        {
            return (null, ApiError.Invalid("psuId", "The decoupled flow needs psuId, the user's identifier at the bank (for BankID, the 12-digit personal number)."));
        }

        var validDays = request.ValidDays ?? Math.Min(90, institution.MaxConsentDays);
        if (validDays < 1 || validDays > institution.MaxConsentDays)
        {
            return (null, ApiError.Invalid("validDays", $"Between 1 and {institution.MaxConsentDays} for this institution."));
        }

        var frequency = request.FrequencyPerDay ?? 4;
        if (frequency is < 1 or > 4)
        {
            return (null, ApiError.Invalid("frequencyPerDay", "Between 1 and 4."));
        }

        var access = ConnectionAccess.Normalise(request.Access);
        if (access is null)
        {
            return (null, ApiError.Invalid("access", "One of [accounts], [accounts, balances] or [accounts, balances, transactions]."));
        }

        var now = time.GetUtcNow();
        var connection = new Connection
        {
            Id = Guid.NewGuid(), ClientAppId = clientAppId, UserId = userId, InstitutionId = request.InstitutionId, Flow = flow,
            Status = flow == ConnectionFlow.Redirect ? ConnectionStatus.PendingAuthorisation : ConnectionStatus.AwaitingDecoupledAuthorisation,
            RedirectUri = request.RedirectUri, PsuId = flow == ConnectionFlow.Decoupled ? request.PsuId : null, FrequencyPerDay = frequency, Access = access,
            RequestedValidUntil = DateOnly.FromDateTime(now.UtcDateTime).AddDays(validDays), RenewsConnectionId = renews?.Id,
            CreatedAt = now, UpdatedAt = now, StatusChangedAt = now, AuthorisationDeadline = now + AuthorizationStates.Lifetime,
        };
        db.Connections.Add(connection);
        db.AuditEvents.Add(AuditEvent.Of(requestId, time, "connection.created", clientAppId, userId, connection.Id,
            new { connection.InstitutionId, flow, renews = renews?.Id }));

        var bank = banks.Connector(request.InstitutionId);
        string? authorisationUrl = null;
        try
        {
            var consent = await bank.CreateConsentAsync(
                new ConsentRequest(access, connection.RequestedValidUntil, frequency, api.Value.CallbackUrl, connection.PsuId), cancellationToken);
            connection.BankConsentId = consent.ConsentId;
            if (flow == ConnectionFlow.Decoupled)
            {
                connection.ScaStatusUrl = consent.DecoupledStatus
                    ?? throw new ConnectorException(ConnectorFailure.Refused, "sca_unsupported", "The bank started no decoupled authorisation.");
                connection.NextPollAt = now + institution.DecoupledPollInterval;
            }
            else
            {
                authorisationUrl = await PrepareRedirectAsync(bank, connection, consent, returnTo, cancellationToken);
            }
        }
        catch (ConnectorException e)
        {
            var error = BankCalls.Describe(e, refusedCode: "consent_rejected");
            connection.SetStatus(ConnectionStatus.Failed, error.Code, time.GetUtcNow());
            connection.NextPollAt = null;
            db.PlatformEvents.Add(ConnectionEvents.StatusChanged(time, connection));
            logger.LogWarning(e, "Creating the consent of connection {ConnectionId} at {InstitutionId} failed", connection.Id, connection.InstitutionId);
            await db.SaveChangesAsync(CancellationToken.None);
            return (null, error with { Detail = $"connection {connection.Id}: {error.Detail}" });
        }

        await db.SaveChangesAsync(cancellationToken);
        if (flow == ConnectionFlow.Decoupled)
        {
            poller.Wake();
        }

        return (new StartedConnection(connection, authorisationUrl), null);
    }

    private async Task<string> PrepareRedirectAsync(IBankConnector bank, Connection connection, CreatedConsent consent, string? returnTo, CancellationToken cancellationToken)
    {
        var (verifier, challenge) = Pkce.Create();
        var state = Pkce.RandomToken();
        var redirect = await bank.AuthorisationRedirectAsync(consent, new RedirectRequest(tpp.OrganizationId, api.Value.CallbackUrl, state, challenge), cancellationToken);
        await states.SaveAsync(state, new PendingAuthorization(connection.Id, verifier, redirect.TokenEndpoint, returnTo));
        return redirect.Url;
    }

    private static (StartedConnection?, ApiError?) Refuse(string code, string title) => (null, new ApiError(StatusCodes.Status400BadRequest, code, title));

    /// <summary>Whether it can be a user's identifier at a bank (for BankID, a personal number).</summary>
    public static bool IsPsuId(string? psuId) => psuId is not null && PsuIdFormat().IsMatch(psuId);

    [GeneratedRegex("^[0-9A-Za-z-]{4,64}$")]
    private static partial Regex PsuIdFormat();
}
