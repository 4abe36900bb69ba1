using System.Globalization;

namespace Psd2.SandboxBank.Data;

/// <summary>Dresses an <see cref="Occurrence"/> as the statement entry a TPP sees.</summary>
internal static class TransactionFactory
{
    private const string HexDigits = "0123456789abcdef";

    /// <summary>What the ids of a day's transactions derive from.</summary>
    public static ulong DaySeed(AccountProfile profile, DateOnly happened) =>
        StableHash.Of(profile.Account.Seed, (ulong)HashStream.TransactionId, (ulong)happened.DayNumber);

    /// <param name="happened">The value date.</param>
    /// <param name="daySeed">From <see cref="DaySeed"/> for <paramref name="happened"/>.</param>
    /// <param name="bookingDate">Null for the pending entry.</param>
    public static BankTransaction Create(AccountProfile profile, DateOnly happened, ulong daySeed, in Occurrence occurrence, DateOnly? bookingDate)
    {
        var identity = StableHash.Of(daySeed, occurrence.Identity);
        // Booking gives a new id, as at real banks; the entry reference stays.
        var transactionId = Hex(StableHash.Mix(identity + (bookingDate is null ? 1UL : 2UL)));
        var entryReference = EntryReference(happened, StableHash.Mix(identity + (ulong)HashStream.EntryReference));
        var texts = profile.Catalogue.Texts;
        var catalogue = profile.Catalogue;

        // Card schemes tell the bank the merchant's name but not its account, so card entries carry no IBAN.
        string? name = null;
        string? iban = null;
        string remittance;
        string code;
        string proprietary;
        switch (occurrence.Kind)
        {
            case OccurrenceKind.CardPurchase:
                name = catalogue.Merchants[occurrence.Item].Name;
                remittance = name;
                code = "PMNT-CCRD-POSD";
                proprietary = texts.Card;
                break;
            case OccurrenceKind.CardSubscription:
                var subscription = profile.Monthly[occurrence.Ordinal];
                name = subscription.Party?.Name;
                remittance = subscription.Text;
                code = "PMNT-CCRD-POSD";
                proprietary = texts.Card;
                break;
            case OccurrenceKind.CashWithdrawal:
                remittance = catalogue.CashPlaces[occurrence.Item];
                code = "PMNT-CCRD-CWDL";
                proprietary = texts.Cash;
                break;
            case OccurrenceKind.TransferOut:
            case OccurrenceKind.TransferIn:
                (name, iban) = profile.Contacts[occurrence.Person];
                var message = catalogue.TransferMessages[(int)(occurrence.Detail % (ulong)catalogue.TransferMessages.Length)];
                remittance = message.Length > 0 ? message : texts.EmptyTransferText;
                code = occurrence.Kind == OccurrenceKind.TransferIn
                    ? catalogue.Sepa ? "PMNT-RCDT-ESCT" : "PMNT-RCDT-DMCT"
                    : catalogue.Sepa ? "PMNT-ICDT-ESCT" : "PMNT-ICDT-DMCT";
                proprietary = texts.Transfer;
                break;
            case OccurrenceKind.CustomerPayment:
                (name, iban) = profile.Contacts[occurrence.Person];
                remittance = MarketCatalogue.CafeSales[occurrence.Item].Text;
                code = "PMNT-RCDT-DMCT";
                proprietary = "SWISH FORETAG";
                break;
            case OccurrenceKind.SupplierInvoice:
                (name, iban) = Party.Company(MarketCatalogue.CafeSuppliers[occurrence.Item].Name, "SE");
                remittance = "Faktura " + InvoiceNumber(occurrence.Detail);
                code = "PMNT-ICDT-DMCT";
                proprietary = texts.Giro;
                break;
            case OccurrenceKind.CustomerInvoice:
                (name, iban) = Party.Company(MarketCatalogue.CafeClients[occurrence.Item].Name, "SE");
                remittance = "Betalning faktura " + InvoiceNumber(occurrence.Detail);
                code = "PMNT-RCDT-DMCT";
                proprietary = texts.Giro;
                break;
            case OccurrenceKind.CardSettlement:
                (name, iban) = AccountProfile.CardAcquirer;
                remittance = "Kortinlosen Worldline";
                code = "PMNT-RCDT-DMCT";
                proprietary = texts.CardSettlement;
                break;
            case OccurrenceKind.Interest:
                remittance = texts.InterestText + " " + happened.Year.ToString(CultureInfo.InvariantCulture);
                code = "ACMT-MCOP-INTR";
                proprietary = texts.Interest;
                break;
            case OccurrenceKind.OwnTransferOut when occurrence.Source == OccurrenceSource.Withdrawal:
                if (profile.Household.Home is { } home)
                {
                    (name, iban) = profile.Own(home);
                }

                remittance = texts.WithdrawalText;
                code = "PMNT-ICDT-BOOK";
                proprietary = texts.OwnTransfer;
                break;
            case OccurrenceKind.OwnTransferIn when occurrence.Source == OccurrenceSource.Withdrawal:
                (name, iban) = profile.Own(profile.Household.Accounts[occurrence.Ordinal]);
                remittance = texts.WithdrawalText;
                code = "PMNT-RCDT-BOOK";
                proprietary = texts.OwnTransfer;
                break;
            default:
                var item = profile.Monthly[occurrence.Ordinal];
                name = item.Party?.Name;
                iban = item.Party?.Iban;
                remittance = Text(item, occurrence.Due, texts);
                (code, proprietary) = item.Kind switch
                {
                    OccurrenceKind.Salary => ("PMNT-RCDT-SALA", texts.Salary),
                    OccurrenceKind.StaffSalary => ("PMNT-ICDT-SALA", texts.Salary),
                    OccurrenceKind.StandingOrder => ("PMNT-ICDT-STDO", texts.StandingOrder),
                    OccurrenceKind.DirectDebit => (catalogue.Sepa ? "PMNT-RDDT-ESDD" : "PMNT-RDDT-PMDD", texts.DirectDebit),
                    OccurrenceKind.OwnTransferOut => ("PMNT-ICDT-BOOK", texts.OwnTransfer),
                    OccurrenceKind.OwnTransferIn => ("PMNT-RCDT-BOOK", texts.OwnTransfer),
                    OccurrenceKind.TaxPayment => ("PMNT-ICDT-DMCT", texts.Giro),
                    OccurrenceKind.Fee => ("ACMT-MDOP-FEES", texts.Fee),
                    _ => throw new InvalidOperationException($"{item.Kind} is not a monthly payment."),
                };
                break;
        }

        var incoming = OccurrenceKinds.IsCredit(occurrence.Kind);
        return new BankTransaction(
            transactionId,
            entryReference,
            Booked: bookingDate is not null,
            bookingDate,
            happened,
            Money.FromMinor(occurrence.Minor),
            profile.Account.Currency,
            CreditorName: incoming ? null : name,
            CreditorIban: incoming ? null : iban,
            DebtorName: incoming ? name : null,
            DebtorIban: incoming ? iban : null,
            remittance,
            code,
            proprietary);
    }

    private static string Text(MonthlyItem item, DateOnly due, BankTexts texts) => item.Wording switch
    {
        Wording.Month => item.Text + " " + texts.Month(due),
        Wording.NextMonth => item.Text + " " + texts.NextMonth(due),
        Wording.Rate => string.Create(CultureInfo.InvariantCulture, $"{item.Text}, {texts.RateText} {Calendar.SekPerEur(due) / 10_000m:0.0000}"),
        _ => item.Text,
    };

    private static string InvoiceNumber(ulong detail) => (10_000 + (detail % 90_000)).ToString(CultureInfo.InvariantCulture);

    /// <summary>Twenty lower-case hex digits: 80 bits, opaque and collision-free in practice.</summary>
    private static string Hex(ulong hash)
    {
        Span<char> chars = stackalloc char[20];
        var more = StableHash.Mix(hash) >> 48;
        for (var i = 15; i >= 0; i--, hash >>= 4)
        {
            chars[i] = HexDigits[(int)(hash & 0xF)];
        }

        for (var i = 19; i >= 16; i--, more >>= 4)
        {
            chars[i] = HexDigits[(int)(more & 0xF)];
        }

        return new string(chars);
    }

    /// <summary>The value date and ten digits, the way Nordic banks number entries in their archives.</summary>
    private static string EntryReference(DateOnly happened, ulong hash)
    {
        Span<char> chars = stackalloc char[18];
        Digits(chars[..4], (ulong)happened.Year);
        Digits(chars.Slice(4, 2), (ulong)happened.Month);
        Digits(chars.Slice(6, 2), (ulong)happened.Day);
        Digits(chars[8..], hash);
        return new string(chars);
    }

    private static void Digits(Span<char> into, ulong value)
    {
        for (var i = into.Length - 1; i >= 0; i--)
        {
            into[i] = (char)('0' + (int)(value % 10));
            value /= 10;
        }
    }
}
