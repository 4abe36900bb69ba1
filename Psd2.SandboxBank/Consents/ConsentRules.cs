using Psd2.SandboxBank.BerlinGroup;

namespace Psd2.SandboxBank.Consents;

/// <summary>What this bank accepts in a consent request, and how it shortens what it may shorten.</summary>
public static class ConsentRules
{
    /// <summary>The validated request, or the error that names the first offending field.</summary>
    public static (ValidConsentRequest? Request, TppError? Error) Validate(ConsentRequest body, DateOnly today, int maxDays)
    {
        if (body.Access is not { } access)
        {
            return Fail("access is required.", "access");
        }

        if (body.RecurringIndicator is not { } recurring)
        {
            return Fail("recurringIndicator is required.", "recurringIndicator");
        }

        if (body.ValidUntil is not { } validUntil)
        {
            return Fail("validUntil is required.", "validUntil");
        }

        if (body.FrequencyPerDay is not { } frequency)
        {
            return Fail("frequencyPerDay is required.", "frequencyPerDay");
        }

        if (body.CombinedServiceIndicator is not { } combined)
        {
            return Fail("combinedServiceIndicator is required.", "combinedServiceIndicator");
        }

        if (combined)
        {
            return (null, new TppError(400, "SESSIONS_NOT_SUPPORTED", "Combined AIS and PIS sessions are not offered.", "combinedServiceIndicator"));
        }

        if (AccessError(access) is { } accessError)
        {
            return (null, accessError);
        }

        if (validUntil < today)
        {
            return (null, new TppError(400, "PERIOD_INVALID", "validUntil lies in the past.", "validUntil"));
        }

        if (frequency is < 1 or > 4)
        {
            return Fail("frequencyPerDay must be between 1 and 4.", "frequencyPerDay");
        }

        if (!recurring && frequency != 1)
        {
            return Fail("A one-off consent (recurringIndicator false) has frequencyPerDay 1.", "frequencyPerDay");
        }

        // "9999-12-31" asks for the longest validity; any later date than the bank allows is shortened, as the spec lets it.
        var longest = today.AddDays(maxDays);
        var granted = validUntil > longest ? longest : validUntil;
        return (new ValidConsentRequest(access, recurring, granted, frequency), null);
    }

    private static TppError? AccessError(AccountAccess access)
    {
        foreach (var (value, path) in new[]
        {
            (access.AllPsd2, "access.allPsd2"),
            (access.AvailableAccounts, "access.availableAccounts"),
            (access.AvailableAccountsWithBalance, "access.availableAccountsWithBalance"),
        })
        {
            if (value is not null and not "allAccounts" and not "allAccountsWithOwnerName")
            {
                return TppError.FormatError($"{path} must be allAccounts or allAccountsWithOwnerName.", path);
            }
        }

        var hasLists = access.Accounts is { Count: > 0 } || access.Balances is { Count: > 0 } || access.Transactions is { Count: > 0 };
        var globals = new[] { access.AllPsd2, access.AvailableAccounts, access.AvailableAccountsWithBalance }.Count(v => v is not null);
        if (globals > 1 || (globals == 1 && hasLists))
        {
            return TppError.FormatError("allPsd2, availableAccounts, availableAccountsWithBalance and account lists exclude each other.", "access");
        }

        foreach (var (list, path) in new[] { (access.Accounts, "access.accounts"), (access.Balances, "access.balances"), (access.Transactions, "access.transactions") })
        {
            if (list is null)
            {
                continue;
            }

            if (list.Count > 100)
            {
                return TppError.FormatError("Too many account references.", path);
            }

            foreach (var reference in list)
            {
                if (reference?.Iban is not { Length: >= 15 and <= 34 } iban || !iban.All(char.IsAsciiLetterOrDigit))
                {
                    return new TppError(400, "FORMAT_ERROR", "Accounts are referenced by IBAN here.", path);
                }

                if (reference.Currency is { } currency && (currency.Length != 3 || !currency.All(char.IsAsciiLetterUpper)))
                {
                    return TppError.FormatError("currency must be an ISO 4217 code.", path);
                }
            }
        }

        return null;
    }

    private static (ValidConsentRequest?, TppError?) Fail(string text, string path) => (null, TppError.FormatError(text, path));
}

public sealed record ValidConsentRequest(AccountAccess Access, bool Recurring, DateOnly ValidUntil, int FrequencyPerDay);
