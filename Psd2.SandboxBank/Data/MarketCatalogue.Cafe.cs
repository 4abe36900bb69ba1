namespace Psd2.SandboxBank.Data;

/// <summary>What a café customer buys and pays for by Swish.</summary>
internal sealed record Sale(string Text, long Minor);

internal sealed partial class MarketCatalogue
{
    public static readonly Weighted<Sale> CafeSales = new(
        (new Sale("Kaffe", 38_00), 10),
        (new Sale("Latte", 48_00), 8),
        (new Sale("Cappuccino", 46_00), 6),
        (new Sale("Kaffe och kanelbulle", 69_00), 8),
        (new Sale("Fika", 75_00), 6),
        (new Sale("Dagens lunch", 125_00), 10),
        (new Sale("Smorgas", 79_00), 5),
        (new Sale("Sallad", 115_00), 3),
        (new Sale("Tarta", 55_00), 2),
        (new Sale("Chokladboll", 30_00), 3),
        (new Sale("Lunch for tva", 250_00), 2),
        (new Sale("Frukost", 95_00), 2));

    /// <summary>Suppliers that invoice the café, with the range of their invoices in öre.</summary>
    public static readonly Weighted<Merchant> CafeSuppliers = new(
        (new Merchant("Martin & Servera AB", 1200_00, 9000_00), 3),
        (new Merchant("Menigo Foodservice AB", 1000_00, 8000_00), 2),
        (new Merchant("Arla Foods AB", 600_00, 4000_00), 3),
        (new Merchant("Lofbergs Lila AB", 900_00, 4500_00), 2),
        (new Merchant("Pagen AB", 600_00, 3500_00), 2),
        (new Merchant("Bageri Petrus AB", 700_00, 4500_00), 2),
        (new Merchant("Stockholm Vatten och Avfall AB", 400_00, 1800_00), 1));

    /// <summary>Companies that order catering on invoice.</summary>
    public static readonly Weighted<Merchant> CafeClients = new(
        (new Merchant("Kontorshotellet Ringen AB", 900_00, 6500_00), 3),
        (new Merchant("Sodermalms Tandvard AB", 700_00, 3500_00), 2),
        (new Merchant("Reklambyran Nord AB", 1200_00, 9000_00), 2),
        (new Merchant("Bokforlaget Stjarna AB", 900_00, 5500_00), 1),
        (new Merchant("Hornstulls Arkitekter AB", 900_00, 7000_00), 2),
        (new Merchant("Stockholms stad", 2500_00, 12000_00), 1));

    public static readonly MarketCatalogue Cafe = new()
    {
        Market = Market.Cafe,
        Currency = "SEK",
        FinnishPeople = false,
        Sepa = false,
        Texts = BankTexts.Swedish,
        Merchants = new(
            (new Merchant("Snabbgross Arsta", 250_00, 2500_00), 4),
            (new Merchant("Axfood Snabbgross Bromma", 250_00, 2500_00), 2),
            (new Merchant("ICA Maxi Nacka", 120_00, 1800_00), 3),
            (new Merchant("Coop Medborgarplatsen", 45_00, 900_00), 3),
            (new Merchant("Clas Ohlson Sodermalm", 49_00, 900_00), 1),
            (new Merchant("Biltema Bromma", 59_00, 1200_00), 1),
            (new Merchant("IKEA Kungens Kurva", 199_00, 3500_00), 1),
            (new Merchant("Jula Barkarby", 59_00, 1200_00), 1),
            (new Merchant("Kjell & Company Hornstull", 49_00, 900_00), 1),
            (new Merchant("Circle K Ringvagen", 200_00, 900_00, 1), 1)),
        TransferAmounts = Amounts((38, 3), (48, 3), (69, 2), (125, 2)),
        TransferMessages = ["Aterbetalning"],
        CashAmounts = Amounts((500, 1), (1000, 1)),
        CashPlaces = ["Bankomat Hornstull"],
        Everyday = new(
            (OccurrenceKind.CustomerPayment, 950),
            (OccurrenceKind.CardPurchase, 25),
            (OccurrenceKind.TransferOut, 8),
            (OccurrenceKind.CustomerInvoice, 5),
            (OccurrenceKind.SupplierInvoice, 12)),
    };
}
