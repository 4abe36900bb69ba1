using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Psd2.SandboxBank.BerlinGroup;
using Psd2.SandboxBank.Consents;
using Psd2.SandboxBank.Infrastructure;
using Psd2.SandboxBank.Psus;
using Psd2.SandboxBank.Sca;
using Psd2.SandboxBank.Time;
using Psd2.SandboxBank.Tls;

namespace Psd2.SandboxBank.Payments;

/// <summary>
/// Berlin Group payment initiation (PIS): single SEPA credit transfers, instant or not, their status, their
/// authorisations (the consents' SCA: redirect through OAuth with BankID, or decoupled BankID) and their cancellation
/// before authorisation. A repeated X-Request-ID of the same TPP with the same body is answered as the first time.
/// </summary>
public static class PaymentsApi
{
    public const string Base = "/v1/payments";
    private const int MaxBodyBytes = 64 * 1024;

    public static bool IsPaymentPath(PathString path) => path.StartsWithSegments(Base);

    public static void MapPaymentsApi(this IEndpointRouteBuilder app)
    {
        var payments = app.MapGroup(Base).WithTags("Payments");
        payments.MapPost("/{paymentProduct}", InitiateAsync).WithName("InitiatePayment").WithSummary("Initiates a single payment.");
        payments.MapGet("/{paymentProduct}/{paymentId}", GetAsync).WithName("GetPaymentInformation").WithSummary("The payment as initiated, with its status.");
        payments.MapGet("/{paymentProduct}/{paymentId}/status", GetStatusAsync).WithName("GetPaymentInitiationStatus").WithSummary("The payment's transaction status.");
        payments.MapDelete("/{paymentProduct}/{paymentId}", CancelAsync).WithName("CancelPayment").WithSummary("Cancels a payment not yet authorised.");
        payments.MapPost("/{paymentProduct}/{paymentId}/authorisations", StartAuthorisationAsync).WithName("StartPaymentAuthorisation").WithSummary("Starts another authorisation of a payment awaiting one.");
        payments.MapGet("/{paymentProduct}/{paymentId}/authorisations", ListAuthorisationsAsync).WithName("GetPaymentInitiationAuthorisations").WithSummary("The payment's authorisation ids.");
        payments.MapGet("/{paymentProduct}/{paymentId}/authorisations/{authorisationId}", GetScaStatusAsync).WithName("GetPaymentInitiationScaStatus").WithSummary("The SCA status of an authorisation.");
    }

    private static async Task<IResult> InitiateAsync(
        string paymentProduct, HttpContext context, PaymentStore store, PaymentExecution execution, PaymentAccounts accounts, PsuDirectory psus,
        BankClock clock, IOptionsMonitor<BankOptions> options)
    {
        CheckProduct(paymentProduct);
        var request = context.Request;
        var cancellationToken = context.RequestAborted;
        var tppId = context.Tpp().OrganizationId;
        var requestId = Guid.ParseExact(request.Headers[BerlinGroupRequests.RequestIdHeader].ToString(), "D");
        var bytes = await ReadBodyAsync(request);
        var requestHash = SHA256.HashData([.. Encoding.UTF8.GetBytes(paymentProduct + "\n"), .. bytes]);

        // A repeat is answered before anything is judged again: the first answer stands even if the day or the balance moved.
        if (await store.FindAnswerAsync(tppId, requestId, cancellationToken) is { } earlier)
        {
            return Replay(earlier, requestHash);
        }


        PaymentInitiationJson body;
        try
        {
            body = JsonSerializer.Deserialize(bytes, PaymentJson.Default.PaymentInitiationJson)
                ?? throw TppError.FormatError("The body must be a JSON object.").AsException();
        }
        catch (JsonException e)
        {
            return TppError.FormatError("The body is not a valid payment initiation.", e.Path is { Length: > 2 } path ? path[2..] : null);
        }

        if (PaymentRules.CheckPsuIpAddress(request.Headers) is { } ipError)
        {
            return ipError;
        }

        var headers = ConsentHeaders.Read(request.Headers);
        if (headers.Error is not null)
        {
            return headers.Error;
        }

        var today = clock.Today;
        var (valid, error) = PaymentRules.Validate(body, paymentProduct, today);
        if (error is not null)
        {
            return error;
        }

        if (headers.PsuId is not null && await psus.FindAsync(headers.PsuId, cancellationToken) is null)
        {
            return new TppError(401, "PSU_CREDENTIALS_INVALID", "The PSU-ID is not a customer of this bank.", "PSU-ID");
        }

        var debtor = await accounts.FindAsync(valid!.DebtorIban, cancellationToken);
        if (debtor is null || (headers.PsuId is not null && debtor.Value.PersonalNumber != headers.PsuId))
        {
            return new TppError(400, "RESOURCE_UNKNOWN", "debtorAccount is not an account of this bank the PSU can pay from.", "debtorAccount.iban");
        }

        var account = debtor.Value.Account;
        if (valid.DebtorCurrency is { } debtorCurrency && debtorCurrency != account.Currency)
        {
            return TppError.FormatError($"The debtor account is held in {account.Currency}.", "debtorAccount.currency");
        }

        if (PaymentRules.DebitAmount(valid, account.Currency) is not { } debit)
        {
            return TppError.FormatError($"This bank pays from a {account.Currency} account in {account.Currency} or EUR.", "instructedAmount.currency");
        }

        var now = clock.GetUtcNow();
        var approach = headers.Decoupled ? ScaApproach.Decoupled : ScaApproach.Redirect;
        var payment = new Payment(
            Secrets.NewId(), tppId, paymentProduct, requestId, TransactionStatus.Received, null, account.ResourceId, account.Iban, valid.CreditorIban,
            valid.CreditorName, valid.Amount, valid.Currency, debit, valid.Remittance, valid.EndToEndId, valid.RequestedExecutionDate, null,
            approach, headers.PsuId, headers.RedirectUri, headers.NokRedirectUri, now);
        var bank = options.CurrentValue;

        StoredInitiation? stored = null;
        if (bank.SkipPaymentSca)
        {
            // Load tests: no SCA (so no approach and no SCA links), the payment is judged and executed as it is made.
            await execution.DecideAsync(payment, async (status, reason, executionDate) =>
            {
                var decided = payment with { Status = status, StatusReason = reason, ExecutionDate = executionDate, ScaApproach = null };
                stored = await store.CreateAsync(decided, null, requestHash, Answer(decided, null, bank), cancellationToken);
                return stored.Created;
            }, cancellationToken);
        }
        else
        {
            var authorisation = NewAuthorisation(payment, now);
            stored = await store.CreateAsync(payment, authorisation, requestHash, Answer(payment, authorisation, bank), cancellationToken);
        }

        // A twin that arrived at the same time made the payment: this request gets its answer, as a later repeat would.
        return Replay(stored!, requestHash);
    }

    private static async Task<IResult> GetAsync(string paymentProduct, string paymentId, HttpContext context, PaymentStore store, ScaService sca, BankClock clock)
    {
        var payment = await CurrentAsync(paymentProduct, paymentId, context, store, sca);
        var status = payment.StatusOn(clock.Today);
        return TypedResults.Json(new PaymentWithStatusResponse(
            payment.EndToEndId, new AccountReference(payment.DebtorIban), new PaymentAmount(payment.Currency, Amount(payment.Amount)),
            new AccountReference(payment.CreditorIban), payment.CreditorName, payment.Remittance, payment.RequestedExecutionDate, status,
            ReasonMessages(payment)), PaymentJson.Default.PaymentWithStatusResponse);
    }

    private static async Task<IResult> GetStatusAsync(string paymentProduct, string paymentId, HttpContext context, PaymentStore store, ScaService sca, BankClock clock)
    {
        var payment = await CurrentAsync(paymentProduct, paymentId, context, store, sca);
        var status = payment.StatusOn(clock.Today);
        var response = payment.StatusReason switch
        {
            StatusReason.InsufficientFunds => new PaymentStatusResponse(status, FundsAvailable: false,
                "The payment was rejected: there is not enough money on the account.", ReasonMessages(payment)),
            not null => new PaymentStatusResponse(status, PsuMessage: "The payment was not authorised in time.", TppMessages: ReasonMessages(payment)),
            null when payment.IsAccepted => new PaymentStatusResponse(status, FundsAvailable: true),
            null => new PaymentStatusResponse(status),
        };
        return TypedResults.Json(response, PaymentJson.Default.PaymentStatusResponse);
    }

    private static async Task<IResult> CancelAsync(string paymentProduct, string paymentId, HttpContext context, PaymentStore store, ScaService sca)
    {
        var payment = await CurrentAsync(paymentProduct, paymentId, context, store, sca);
        return payment.Status == TransactionStatus.Received && await store.CancelAsync(paymentId, context.RequestAborted)
            ? TypedResults.NoContent()
            : new TppError(405, "CANCELLATION_INVALID", $"The payment is {payment.Status}: only a payment not yet authorised (RCVD) can be cancelled.");
    }

    /// <summary>Another authorisation of a payment still awaiting one (a new BankID order, or a new redirect), in the payment's approach.</summary>
    private static async Task<IResult> StartAuthorisationAsync(
        string paymentProduct, string paymentId, HttpContext context, PaymentStore store, ConsentStore authorisations, ScaService sca, BankClock clock,
        IOptionsMonitor<BankOptions> options)
    {
        var payment = await CurrentAsync(paymentProduct, paymentId, context, store, sca);
        if (payment.Status != TransactionStatus.Received || payment.ScaApproach is null)
        {
            return TppError.StatusInvalid($"The payment is {payment.Status}: only a payment awaiting authorisation can start a new one.");
        }

        var authorisation = NewAuthorisation(payment, clock.GetUtcNow());
        await authorisations.AddAuthorisationAsync(authorisation, context.RequestAborted);
        context.Response.Headers["ASPSP-SCA-Approach"] = payment.ScaApproach;
        var scaStatus = new Href($"{payment.Path}/authorisations/{authorisation.AuthorisationId}");
        var links = new Dictionary<string, Href> { ["scaStatus"] = scaStatus };
        if (authorisation.ScaApproach == ScaApproach.Redirect)
        {
            links["scaOAuth"] = new($"{options.CurrentValue.PsuBaseUrl.TrimEnd('/')}/.well-known/oauth-authorization-server");
        }

        return TypedResults.Created(scaStatus.Value, new StartScaProcessResponse(authorisation.ScaStatus, authorisation.AuthorisationId, links));
    }

    private static Authorisation NewAuthorisation(Payment payment, DateTimeOffset now) =>
        payment.ScaApproach == ScaApproach.Decoupled
            // The BankID order goes to the PSU's phone at once.
            ? new Authorisation(Secrets.NewId(), null, ScaApproach.Decoupled, ScaStatus.Started, payment.PsuId, now, now, null, false, payment.PaymentId)
            : new Authorisation(Secrets.NewId(), null, ScaApproach.Redirect, ScaStatus.Received, payment.PsuId, now, null, null, false, payment.PaymentId);

    private static async Task<IResult> ListAuthorisationsAsync(string paymentProduct, string paymentId, HttpContext context, PaymentStore store, ConsentStore authorisations)
    {
        await FindAsync(paymentProduct, paymentId, context, store);
        var list = await authorisations.ListPaymentAuthorisationsAsync(paymentId, context.RequestAborted);
        return TypedResults.Ok(new AuthorisationsResponse(list.Select(a => a.AuthorisationId).ToList()));
    }

    private static async Task<IResult> GetScaStatusAsync(
        string paymentProduct, string paymentId, string authorisationId, HttpContext context, PaymentStore store, ConsentStore authorisations,
        ScaService sca, IOptionsMonitor<BankOptions> options)
    {
        await FindAsync(paymentProduct, paymentId, context, store);
        var authorisation = await authorisations.FindAuthorisationAsync(authorisationId, context.RequestAborted);
        if (authorisation is null || authorisation.PaymentId != paymentId)
        {
            return new TppError(403, "RESOURCE_UNKNOWN", "No such authorisation of this payment.", "authorisationId");
        }

        var polled = await sca.PollAsync(authorisation, context.RequestAborted);
        if (polled is null)
        {
            // The spec documents a PIS 429 without a body.
            context.Response.Headers.RetryAfter = Math.Ceiling(Math.Max(1, options.CurrentValue.DecoupledPollInterval.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return TypedResults.StatusCode(StatusCodes.Status429TooManyRequests);
        }

        return TypedResults.Ok(new ScaStatusResponse(polled.ScaStatus, polled switch
        {
            { ScaApproach: ScaApproach.Decoupled, ScaStatus: ScaStatus.Started } => "Waiting for the PSU to approve the payment in the BankID app.",
            { ScaStatus: ScaStatus.Failed } => "The PSU did not approve the payment.",
            _ => null,
        }));
    }

    /// <summary>The payment, with a decoupled BankID order brought up to date first (the PSU may have answered since).</summary>
    private static async Task<Payment> CurrentAsync(string product, string paymentId, HttpContext context, PaymentStore store, ScaService sca)
    {
        var payment = await FindAsync(product, paymentId, context, store);
        if (payment.Status != TransactionStatus.Received || payment.ScaApproach != ScaApproach.Decoupled)
        {
            return payment;
        }

        var authorisations = context.RequestServices.GetRequiredService<ConsentStore>();
        foreach (var authorisation in await authorisations.ListPaymentAuthorisationsAsync(paymentId, context.RequestAborted))
        {
            await sca.CatchUpAsync(authorisation, context.RequestAborted);
        }

        return await FindAsync(product, paymentId, context, store);
    }

    /// <summary>This TPP's payment of this product, or 403 RESOURCE_UNKNOWN (another TPP's payment is as unknown as a missing one).</summary>
    private static async Task<Payment> FindAsync(string product, string paymentId, HttpContext context, PaymentStore store)
    {
        CheckProduct(product);
        var payment = paymentId.Length <= 100 ? await store.FindAsync(paymentId, context.Tpp().OrganizationId, context.RequestAborted) : null;
        return payment is not null && payment.Product == product
            ? payment
            : throw new TppError(403, "RESOURCE_UNKNOWN", "The paymentId does not match a payment of this TPP.", "paymentId").AsException();
    }

    private static void CheckProduct(string product)
    {
        if (!PaymentProduct.IsKnown(product))
        {
            throw new TppError(404, "PRODUCT_UNKNOWN", $"This bank offers {PaymentProduct.Sepa} and {PaymentProduct.InstantSepa}.", "payment-product").AsException();
        }
    }

    /// <summary>The body's exact bytes (already buffered by the signature check, which every payment call passes).</summary>
    private static async Task<byte[]> ReadBodyAsync(HttpRequest request)
    {
        if (!request.HasJsonContentType())
        {
            throw TppError.FormatError("The body must be application/json.").AsException();
        }

        using var body = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, request.HttpContext.RequestAborted)) > 0)
        {
            if (body.Length + read > MaxBodyBytes)
            {
                throw TppError.FormatError("The request body is too large.").AsException();
            }

            body.Write(chunk, 0, read);
        }

        return body.ToArray();
    }

    /// <summary>The 201 of a new payment, kept with it to be given again to a repeat of its X-Request-ID.</summary>
    private static StoredAnswer Answer(Payment payment, Authorisation? authorisation, BankOptions options)
    {
        var links = new Dictionary<string, Href> { ["self"] = new(payment.Path), ["status"] = new($"{payment.Path}/status") };
        if (authorisation is not null)
        {
            links["scaStatus"] = new($"{payment.Path}/authorisations/{authorisation.AuthorisationId}");
            if (authorisation.ScaApproach == ScaApproach.Redirect)
            {
                links["scaOAuth"] = new($"{options.PsuBaseUrl.TrimEnd('/')}/.well-known/oauth-authorization-server");
            }
        }

        var body = authorisation?.ScaApproach == ScaApproach.Decoupled
            ? new PaymentInitiationResponse(payment.Status, payment.PaymentId, links, authorisation.ScaStatus, "Open the BankID app on your phone and approve the payment.")
            : new PaymentInitiationResponse(payment.Status, payment.PaymentId, links);
        return new StoredAnswer(StatusCodes.Status201Created, JsonSerializer.Serialize(body, PaymentJson.Default.PaymentInitiationResponse), payment.Path, payment.ScaApproach);
    }

    /// <summary>The stored answer when <paramref name="requestHash"/> is of the request that got it; else the X-Request-ID was reused.</summary>
    private static IResult Replay(StoredInitiation stored, byte[] requestHash) =>
        stored.RequestHash.AsSpan().SequenceEqual(requestHash)
            ? new StoredAnswerResult(stored.Answer)
            : TppError.FormatError("X-Request-ID was already used for another request.", BerlinGroupRequests.RequestIdHeader);

    private static IReadOnlyList<TppMessage>? ReasonMessages(Payment payment) => payment.StatusReason switch
    {
        StatusReason.InsufficientFunds => [new TppMessage("ERROR", StatusReason.InsufficientFunds, null, "AM04 InsufficientFunds: the debtor account's available balance does not cover the amount.")],
        StatusReason.NoAnswer => [new TppMessage("ERROR", StatusReason.NoAnswer, null, "NOAS NoAnswerFromCustomer: the PSU did not answer the BankID order in time.")],
        _ => null,
    };

    private static string Amount(decimal amount) => amount.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Writes a stored answer exactly as it was first given.</summary>
    private sealed class StoredAnswerResult(StoredAnswer answer) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            var response = httpContext.Response;
            response.StatusCode = answer.Status;
            response.Headers.Location = answer.Location;
            if (answer.ScaApproach is { } approach)
            {
                response.Headers["ASPSP-SCA-Approach"] = approach;
            }

            response.ContentType = "application/json";
            await response.WriteAsync(answer.Body, httpContext.RequestAborted);
        }
    }
}
