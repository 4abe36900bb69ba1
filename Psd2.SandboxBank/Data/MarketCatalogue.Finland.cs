namespace Psd2.SandboxBank.Data;

internal sealed partial class MarketCatalogue
{
    // Amounts are in euro cents.
    public static readonly MarketCatalogue Finland = new()
    {
        Market = Market.Finland,
        Currency = "EUR",
        FinnishPeople = true,
        Sepa = true,
        Texts = BankTexts.Finnish,
        Merchants = new(
            (new Merchant("K-Citymarket Ruoholahti", 8_00, 160_00), 4),
            (new Merchant("K-Market Kamppi", 3_00, 60_00), 4),
            (new Merchant("S-Market Toolo", 4_00, 90_00), 4),
            (new Merchant("Prisma Itakeskus", 15_00, 220_00), 2),
            (new Merchant("Alepa Hakaniemi", 3_00, 55_00), 3),
            (new Merchant("Lidl Kallio", 5_00, 90_00), 3),
            (new Merchant("Alko Kamppi", 10_00, 80_00), 2),
            (new Merchant("HSL Mobiili", 2_95, 9_50, 4), 4),
            (new Merchant("R-Kioski Rautatientori", 1_50, 18_00), 3),
            (new Merchant("Fazer Cafe Kluuvikatu", 3_50, 22_00), 2),
            (new Merchant("Roberts Coffee Kamppi", 3_00, 14_00), 3),
            (new Merchant("Hesburger Kamppi", 6_50, 18_00), 2),
            (new Merchant("Ravintola Sea Horse", 25_00, 90_00), 1),
            (new Merchant("Wolt", 15_00, 45_00), 2),
            (new Merchant("Stockmann Helsinki", 15_00, 180_00, 3), 1),
            (new Merchant("Neste Lauttasaari", 25_00, 90_00, 1), 2),
            (new Merchant("Yliopiston Apteekki", 5_00, 45_00), 1),
            (new Merchant("Tokmanni Itakeskus", 5_00, 60_00), 1),
            (new Merchant("Verkkokauppa.com", 15_00, 400_00, 3), 1),
            (new Merchant("Finnkino Tennispalatsi", 12_50, 35_00), 1),
            (new Merchant("VR Matkalippu", 9_00, 90_00), 1),
            (new Merchant("Clas Ohlson Helsinki", 5_00, 80_00), 1)),
        TransferAmounts = Amounts(
            (5, 5), (8, 3), (10, 8), (12, 4), (15, 6), (20, 8), (25, 4), (30, 4), (40, 3), (50, 4), (80, 1), (100, 2), (150, 1)),
        TransferMessages = ["Lounas", "Kahvit", "Liput", "Lahja", "Kiitos!", "Pizza", "Taksi", "Sahlys", "Ruoka", "Elokuvat", "Synttarit", ""],
        CashAmounts = Amounts((20, 4), (40, 3), (50, 3), (60, 2), (80, 1), (100, 3), (150, 1), (200, 1)),
        CashPlaces = ["Otto Kamppi", "Otto Rautatientori", "Otto Itakeskus", "Otto Toolontori"],
        Everyday = new(
            (OccurrenceKind.CardPurchase, 84),
            (OccurrenceKind.TransferOut, 7),
            (OccurrenceKind.TransferIn, 6),
            (OccurrenceKind.CashWithdrawal, 3)),
    };
}
