namespace Psd2.SandboxBank.Data;

/// <summary>The shops, amounts and words of one market.</summary>
internal sealed partial class MarketCatalogue
{
    public required Market Market { get; init; }

    public required string Currency { get; init; }

    /// <summary>Most people paid by transfer are Finns banking in Finland, rather than Swedes banking in Sweden.</summary>
    public required bool FinnishPeople { get; init; }

    /// <summary>Euro transfers and debits are SEPA; krona ones are domestic.</summary>
    public required bool Sepa { get; init; }

    public required BankTexts Texts { get; init; }

    public required Weighted<Merchant> Merchants { get; init; }

    public required Weighted<long> TransferAmounts { get; init; }

    public required string[] TransferMessages { get; init; }

    public required Weighted<long> CashAmounts { get; init; }

    public required string[] CashPlaces { get; init; }

    /// <summary>The random everyday transactions of an account in this market, by share.</summary>
    public required Weighted<OccurrenceKind> Everyday { get; init; }

    /// <summary>Expected signed amount of one everyday transaction, in minor units.</summary>
    public double EverydayMean => Everyday.Mean(kind => kind switch
    {
        OccurrenceKind.CardPurchase => -Merchants.Mean(m => m.Mean),
        OccurrenceKind.CashWithdrawal => -CashAmounts.Mean(a => a),
        OccurrenceKind.TransferOut => -TransferAmounts.Mean(a => a),
        OccurrenceKind.TransferIn => TransferAmounts.Mean(a => a),
        OccurrenceKind.CustomerPayment => CafeSales.Mean(s => s.Minor),
        OccurrenceKind.SupplierInvoice => -CafeSuppliers.Mean(m => m.Mean),
        OccurrenceKind.CustomerInvoice => CafeClients.Mean(m => m.Mean),
        _ => throw new InvalidOperationException($"{kind} is not an everyday transaction."),
    });

    public static MarketCatalogue For(Market market) => market switch
    {
        Market.Sweden => Sweden,
        Market.Finland => Finland,
        Market.EuroTravel => EuroTravel,
        _ => Cafe,
    };

    private static Weighted<long> Amounts(params (long Major, int Weight)[] amounts) =>
        new([.. amounts.Select(a => (a.Major * 100, a.Weight))]);
}
