namespace Psd2.SandboxBank.Data;

internal sealed partial class MarketCatalogue
{
    // Amounts are in öre; weights are how often each is chosen.
    public static readonly MarketCatalogue Sweden = new()
    {
        Market = Market.Sweden,
        Currency = "SEK",
        FinnishPeople = false,
        Sepa = false,
        Texts = BankTexts.Swedish,
        Merchants = new(
            (new Merchant("ICA Kvantum Sodermalm", 45_00, 1100_00), 6),
            (new Merchant("ICA Supermarket Odenplan", 35_00, 800_00), 5),
            (new Merchant("ICA Nara Hornstull", 19_00, 350_00), 4),
            (new Merchant("Coop Konsum Vasastan", 29_00, 650_00), 4),
            (new Merchant("Stora Coop Bromma", 120_00, 1600_00), 2),
            (new Merchant("Willys Arsta", 90_00, 1400_00), 4),
            (new Merchant("Hemkop Slussen", 29_00, 700_00), 3),
            (new Merchant("Lidl Liljeholmen", 49_00, 900_00), 3),
            (new Merchant("City Gross Sickla", 150_00, 1800_00), 1),
            (new Merchant("SL Reskassa", 42_00, 84_00, 4), 5),
            (new Merchant("SJ AB", 195_00, 1200_00), 1),
            (new Merchant("Circle K Gullmarsplan", 250_00, 950_00, 1), 2),
            (new Merchant("OKQ8 Bromma", 250_00, 950_00, 1), 1),
            (new Merchant("Taxi Stockholm", 180_00, 650_00), 1),
            (new Merchant("Uber Trip", 95_00, 420_00), 1),
            (new Merchant("Espresso House Odengatan", 39_00, 145_00), 4),
            (new Merchant("Espresso House Medborgarplatsen", 39_00, 145_00), 3),
            (new Merchant("Pressbyran T-Centralen", 15_00, 110_00), 4),
            (new Merchant("7-Eleven Gotgatan", 15_00, 120_00), 2),
            (new Merchant("Max Hamburgare Kungsgatan", 89_00, 260_00), 2),
            (new Merchant("Restaurang Tradgarden", 150_00, 900_00), 1),
            (new Merchant("Pizzeria Napoli Hornstull", 110_00, 420_00), 2),
            (new Merchant("Sushi Yama Vasastan", 115_00, 380_00), 2),
            (new Merchant("Wolt", 129_00, 480_00), 2),
            (new Merchant("Foodora", 119_00, 450_00), 2),
            (new Merchant("Systembolaget Drottninggatan", 89_00, 750_00), 2),
            (new Merchant("Systembolaget Ringen", 89_00, 750_00), 2),
            (new Merchant("Apoteket Klara", 49_00, 450_00), 1),
            (new Merchant("Apotek Hjartat Sodermalm", 39_00, 390_00), 1),
            (new Merchant("Clas Ohlson Drottninggatan", 49_00, 900_00), 1),
            (new Merchant("IKEA Kungens Kurva", 99_00, 4200_00, 3), 1),
            (new Merchant("H&M Drottninggatan", 99_00, 1200_00), 1),
            (new Merchant("Stadium Sergel", 199_00, 1900_00), 1),
            (new Merchant("Elgiganten Barkarby", 149_00, 7500_00, 3), 1),
            (new Merchant("Akademibokhandeln Malartorget", 79_00, 450_00), 1),
            (new Merchant("Bauhaus Barkarby", 99_00, 2500_00, 3), 1),
            (new Merchant("Zalando SE", 249_00, 1600_00), 1),
            (new Merchant("Apotea.se", 99_00, 700_00), 1),
            (new Merchant("Adlibris", 99_00, 600_00), 1),
            (new Merchant("Filmstaden Sergel", 139_00, 420_00), 1)),
        TransferAmounts = Amounts(
            (50, 6), (75, 3), (100, 10), (120, 4), (150, 8), (200, 10), (250, 6), (300, 6), (350, 3), (400, 4),
            (500, 6), (600, 2), (750, 2), (1000, 3), (1500, 1), (2000, 1)),
        TransferMessages =
        [
            "Middag", "Lunch", "Fika", "Biljetter", "Present", "Padel", "Tack!", "Pizza", "Taxi", "Loppis", "Resa",
            "Blommor", "Mat", "Bio", "Kalas", "Konsert", "",
        ],
        CashAmounts = Amounts((200, 3), (300, 2), (400, 2), (500, 4), (700, 1), (1000, 3), (1500, 1), (2000, 1)),
        CashPlaces = ["Bankomat Sergels torg", "Bankomat Odenplan", "Bankomat Medborgarplatsen", "Bankomat Fridhemsplan", "Bankomat Slussen"],
        Everyday = new(
            (OccurrenceKind.CardPurchase, 82),
            (OccurrenceKind.TransferOut, 8),
            (OccurrenceKind.TransferIn, 7),
            (OccurrenceKind.CashWithdrawal, 3)),
    };
}
