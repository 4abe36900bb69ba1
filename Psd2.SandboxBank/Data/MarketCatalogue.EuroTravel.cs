namespace Psd2.SandboxBank.Data;

internal sealed partial class MarketCatalogue
{
    // A Swedish euro account: travel and foreign web shops, in euro cents.
    public static readonly MarketCatalogue EuroTravel = new()
    {
        Market = Market.EuroTravel,
        Currency = "EUR",
        FinnishPeople = false,
        Sepa = true,
        Texts = BankTexts.Swedish,
        Merchants = new(
            (new Merchant("REWE Berlin Friedrichstrasse", 3_00, 60_00), 3),
            (new Merchant("Albert Heijn Amsterdam Centraal", 2_50, 45_00), 3),
            (new Merchant("Carrefour Paris Bastille", 3_00, 70_00), 2),
            (new Merchant("Mercadona Malaga", 4_00, 80_00), 2),
            (new Merchant("Lidl Barcelona Gracia", 3_00, 60_00), 2),
            (new Merchant("Deutsche Bahn", 19_90, 139_90), 1),
            (new Merchant("Ryanair", 29_99, 189_99, 3), 1),
            (new Merchant("Booking.com", 89_00, 450_00, 3), 1),
            (new Merchant("Starbucks Schiphol", 3_80, 14_00), 3),
            (new Merchant("Cafe de Flore Paris", 9_00, 45_00), 2),
            (new Merchant("Trattoria da Mario Roma", 22_00, 95_00), 2),
            (new Merchant("Uber BV", 9_00, 45_00), 2),
            (new Merchant("Bolt", 6_00, 28_00), 2),
            (new Merchant("Zalando SE", 29_99, 150_00), 1),
            (new Merchant("Amazon EU", 9_99, 120_00), 4),
            (new Merchant("Rossmann Hamburg", 2_00, 35_00), 2),
            (new Merchant("MediaMarkt Munchen", 19_99, 600_00, 4), 1),
            (new Merchant("Museo del Prado Madrid", 15_00, 30_00, 1), 1),
            (new Merchant("Steam Purchase", 4_99, 59_99), 2),
            (new Merchant("Apple.com/bill", 0_99, 19_99), 4)),
        TransferAmounts = Amounts((10, 1)),
        TransferMessages = [""],
        CashAmounts = Amounts((20, 4), (40, 3), (50, 3), (100, 2)),
        CashPlaces = ["ATM Berliner Sparkasse", "ATM ABN AMRO Amsterdam", "Cajero CaixaBank Barcelona", "Bancomat Intesa Roma"],
        Everyday = new(
            (OccurrenceKind.CardPurchase, 96),
            (OccurrenceKind.CashWithdrawal, 4)),
    };
}
