namespace Psd2.SandboxBank.Data;

/// <summary>
/// The monthly outgoings of a salary or business account: housing, utilities, insurance, subscriptions. Chosen
/// from the account's seed alone, because the budget of the whole household is planned from them.
/// </summary>
internal static class Bills
{
    private sealed record Option(string Party, string Short, long MinMinor, long MaxMinor);

    public static List<MonthlyItem> For(AccountLayout account)
    {
        var random = new SplitMix64(StableHash.Of(account.Seed, (ulong)HashStream.Profile));
        var bills = new List<MonthlyItem>();
        switch (account.Market)
        {
            case Market.Finland:
                Finnish(ref random, bills, account.Seed);
                break;
            case Market.Cafe:
                Cafe(ref random, bills, account.Seed);
                break;
            default:
                Swedish(ref random, bills, account.Seed);
                break;
        }

        return bills;
    }

    private static void Swedish(ref SplitMix64 random, List<MonthlyItem> bills, ulong seed)
    {
        var texts = BankTexts.Swedish;
        if (random.Percent(60))
        {
            var landlord = random.Pick(["Stockholmshem AB", "Familjebostader AB", "Svenska Bostader AB", "Akelius Lagenheter AB", "Heimstaden AB", "Wallenstam AB"]);
            bills.Add(Standing(landlord, "SE", Between(ref random, 6800_00, 13900_00, 1_00), 27, texts.RentText, Wording.NextMonth));
        }
        else
        {
            var association = random.Pick(["Brf Masthugget", "Brf Solrosen", "Brf Eken 12", "Brf Vasaparken", "Brf Tallen", "Brf Sjoutsikten"]);
            bills.Add(Standing(association, "SE", Between(ref random, 2400_00, 6200_00, 1_00), 27, texts.HousingFeeText, Wording.NextMonth));
            var lender = random.Pick(["SBAB Bank AB", "Stadshypotek AB", "Swedbank Hypotek AB", "Nordea Hypotek AB", "Danske Hypotek AB"]);
            bills.Add(new MonthlyItem(OccurrenceKind.DirectDebit, 28, DayShift.NextWeekday, Party.Company(lender, "SE"),
                Between(ref random, 4500_00, 15000_00, 1_00), texts.MortgageText));
        }

        Debit(ref random, bills, texts, "SE", 28, seed, heating: true, 100, [
            new("Vattenfall AB", "Vattenfall", 250_00, 900_00), new("Ellevio AB", "Ellevio", 250_00, 900_00),
            new("Tibber AB", "Tibber", 250_00, 900_00), new("Fortum Sverige AB", "Fortum", 250_00, 900_00),
            new("E.ON Energidistribution AB", "E.ON", 250_00, 900_00)]);
        Debit(ref random, bills, texts, "SE", 27, seed, heating: false, 100, [
            new("Telia Sverige AB", "Telia", 199_00, 449_00), new("Tele2 Sverige AB", "Tele2", 149_00, 399_00),
            new("Telenor Sverige AB", "Telenor", 199_00, 449_00), new("Hi3G Access AB", "Tre", 149_00, 399_00)]);
        Debit(ref random, bills, texts, "SE", 28, seed, heating: false, 55, [
            new("Bahnhof AB", "Bahnhof", 299_00, 449_00), new("Bredband2 AB", "Bredband2", 299_00, 429_00),
            new("Telia Sverige AB", "Telia Bredband", 349_00, 499_00)]);
        Debit(ref random, bills, texts, "SE", 28, seed, heating: false, 100, [
            new("Folksam", "Folksam", 119_00, 289_00), new("If Skadeforsakring AB", "If", 129_00, 279_00),
            new("Lansforsakringar Stockholm", "Lansforsakringar", 119_00, 259_00), new("Trygg-Hansa", "Trygg-Hansa", 129_00, 289_00)]);
        Debit(ref random, bills, texts, "SE", 27, seed, heating: false, 35, [
            new("SATS Sverige AB", "SATS", 549_00, 649_00), new("Friskis & Svettis Stockholm", "Friskis", 350_00, 450_00),
            new("Nordic Wellness AB", "Nordic Wellness", 399_00, 499_00)]);
        Debit(ref random, bills, texts, "SE", 28, seed, heating: false, 45, [
            new("Unionen", "Unionen", 240_00, 470_00), new("Kommunal", "Kommunal", 220_00, 430_00),
            new("Vision", "Vision", 250_00, 450_00), new("Sveriges Ingenjorer", "Sveriges Ingenjorer", 260_00, 460_00)]);
        Debit(ref random, bills, texts, "SE", 28, seed, heating: false, 25, [new("Centrala studiestodsnamnden", "CSN", 700_00, 2400_00)]);

        Subscription(ref random, bills, 70, [new("Spotify AB", "Spotify Stockholm", 119_00, 119_00), new("Spotify AB", "Spotify Stockholm", 169_00, 169_00), new("Spotify AB", "Spotify Stockholm", 229_00, 229_00)]);
        Subscription(ref random, bills, 55, [new("Netflix International BV", "Netflix.com", 99_00, 99_00), new("Netflix International BV", "Netflix.com", 149_00, 149_00), new("Netflix International BV", "Netflix.com", 199_00, 199_00)]);
        Subscription(ref random, bills, 15, [new("Viaplay Group AB", "Viaplay", 149_00, 149_00)]);
        Subscription(ref random, bills, 20, [new("Storytel AB", "Storytel", 229_00, 229_00)]);
        Subscription(ref random, bills, 35, [new("Apple Distribution International", "Apple.com/bill", 29_00, 29_00), new("Apple Distribution International", "Apple.com/bill", 129_00, 129_00)]);
        if (random.Percent(40))
        {
            bills.Add(new MonthlyItem(OccurrenceKind.CardSubscription, 1 + random.Below(5), DayShift.None,
                new Party("AB Storstockholms Lokaltrafik", null), 1010_00, "SL Access 30-dagarsbiljett"));
        }

        if (random.Percent(40))
        {
            var platform = random.Pick(["Avanza Bank AB", "Nordnet Bank AB"]);
            bills.Add(Standing(platform, "SE", Between(ref random, 500_00, 3000_00, 100_00), 26, "Manadssparande fonder", Wording.Fixed));
        }

        if (random.Percent(60))
        {
            bills.Add(new MonthlyItem(OccurrenceKind.Fee, 1, DayShift.None, null, Between(ref random, 25_00, 45_00, 5_00), texts.FeeText, Wording.Month));
        }
    }

    private static void Finnish(ref SplitMix64 random, List<MonthlyItem> bills, ulong seed)
    {
        var texts = BankTexts.Finnish;
        if (random.Percent(70))
        {
            var landlord = random.Pick(["SATO Oyj", "Kojamo Oyj", "Helsingin kaupungin asunnot Oy", "Avara Oy"]);
            bills.Add(Standing(landlord, "FI", Between(ref random, 850_00, 1650_00, 1_00), 2, texts.RentText, Wording.Month));
        }
        else
        {
            var association = random.Pick(["As Oy Helsingin Kivi", "As Oy Toolon Tahti", "As Oy Merikatu 5", "As Oy Kalliolanrinne"]);
            bills.Add(Standing(association, "FI", Between(ref random, 220_00, 480_00, 1_00), 2, texts.HousingFeeText, Wording.Month));
            var lender = random.Pick(["Nordea Bank Abp", "OP Osuuskunta", "Danske Bank A/S Suomen sivuliike", "S-Pankki Oyj"]);
            bills.Add(new MonthlyItem(OccurrenceKind.DirectDebit, 15, DayShift.NextWeekday, Party.Company(lender, "FI"),
                Between(ref random, 500_00, 1400_00, 1_00), texts.MortgageText));
        }

        Debit(ref random, bills, texts, "FI", 20, seed, heating: true, 100, [
            new("Helen Oy", "Helen", 25_00, 95_00), new("Fortum Markets Oy", "Fortum", 25_00, 95_00),
            new("Oomi Oy", "Oomi", 25_00, 90_00), new("Vattenfall Oy", "Vattenfall", 25_00, 90_00)]);
        Debit(ref random, bills, texts, "FI", 15, seed, heating: false, 100, [
            new("Elisa Oyj", "Elisa", 14_90, 39_90), new("DNA Oyj", "DNA", 14_90, 34_90), new("Telia Finland Oyj", "Telia", 16_90, 39_90)]);
        Debit(ref random, bills, texts, "FI", 15, seed, heating: false, 40, [
            new("Elisa Oyj", "Elisa laajakaista", 24_90, 44_90), new("DNA Oyj", "DNA laajakaista", 24_90, 39_90)]);
        Debit(ref random, bills, texts, "FI", 10, seed, heating: false, 100, [
            new("If Vahinkovakuutus Oy", "If", 14_00, 42_00), new("LahiTapiola", "LahiTapiola", 14_00, 40_00),
            new("OP Vakuutus Oy", "OP Vakuutus", 15_00, 42_00), new("Fennia", "Fennia", 14_00, 38_00)]);
        Debit(ref random, bills, texts, "FI", 5, seed, heating: false, 30, [new("Elixia Oy", "Elixia", 59_00, 79_00), new("Fressi Oy", "Fressi", 39_00, 49_00)]);
        Debit(ref random, bills, texts, "FI", 5, seed, heating: false, 45, [
            new("JHL", "JHL", 20_00, 55_00), new("Ammattiliitto Pro", "Pro", 20_00, 50_00), new("YTK", "YTK", 15_00, 20_00), new("Tehy", "Tehy", 30_00, 60_00)]);

        Subscription(ref random, bills, 65, [new("Spotify AB", "Spotify Stockholm", 10_99, 10_99), new("Spotify AB", "Spotify Stockholm", 17_99, 17_99)]);
        Subscription(ref random, bills, 50, [new("Netflix International BV", "Netflix.com", 7_99, 7_99), new("Netflix International BV", "Netflix.com", 13_99, 13_99), new("Netflix International BV", "Netflix.com", 20_99, 20_99)]);
        Subscription(ref random, bills, 20, [new("BookBeat AB", "BookBeat", 19_99, 19_99)]);
        Subscription(ref random, bills, 35, [new("Apple Distribution International", "Apple.com/bill", 0_99, 0_99), new("Apple Distribution International", "Apple.com/bill", 2_99, 2_99), new("Apple Distribution International", "Apple.com/bill", 9_99, 9_99)]);
        if (random.Percent(55))
        {
            bills.Add(new MonthlyItem(OccurrenceKind.CardSubscription, 1 + random.Below(5), DayShift.None,
                new Party("Helsingin seudun liikenne", null), 64_70, "HSL Kausilippu"));
        }

        if (random.Percent(35))
        {
            bills.Add(Standing("Nordnet Bank AB", "FI", Between(ref random, 50_00, 300_00, 10_00), 20, "Rahastosaasto", Wording.Fixed));
        }

        if (random.Percent(60))
        {
            bills.Add(new MonthlyItem(OccurrenceKind.Fee, 1, DayShift.None, null, Between(ref random, 3_50, 6_90, 10), texts.FeeText, Wording.Month));
        }
    }

    private static void Cafe(ref SplitMix64 random, List<MonthlyItem> bills, ulong seed)
    {
        var texts = BankTexts.Swedish;
        var landlord = random.Pick(["Fastighets AB Ringen", "Vasakronan AB", "Stena Fastigheter Stockholm AB"]);
        bills.Add(Standing(landlord, "SE", Between(ref random, 28000_00, 45000_00, 1_00), 28, "Lokalhyra", Wording.NextMonth));
        Debit(ref random, bills, texts, "SE", 28, seed, heating: true, 100, [new("Ellevio AB", "Ellevio", 1500_00, 4000_00)]);
        Debit(ref random, bills, texts, "SE", 28, seed, heating: false, 100, [new("Telia Sverige AB", "Telia Foretag", 500_00, 1200_00)]);
        Debit(ref random, bills, texts, "SE", 28, seed, heating: false, 100, [new("If Skadeforsakring AB", "If Foretag", 700_00, 1500_00)]);
        Debit(ref random, bills, texts, "SE", 5, seed, heating: false, 100, [new("Worldline Sweden AB", "Worldline terminal", 290_00, 590_00)]);
        Subscription(ref random, bills, 100, [new("Fortnox AB", "Fortnox", 399_00, 699_00)]);
        Subscription(ref random, bills, 100, [new("Soundtrack Your Brand Sweden AB", "Soundtrack Your Brand", 329_00, 329_00)]);
        bills.Add(new MonthlyItem(OccurrenceKind.Fee, 1, DayShift.None, null, Between(ref random, 99_00, 199_00, 10_00), "Foretagspaket", Wording.Month));
    }

    private static MonthlyItem Standing(string party, string countryCode, long minor, int day, string text, Wording wording) =>
        new(OccurrenceKind.StandingOrder, day, DayShift.NextWeekday, Party.Company(party, countryCode), minor, text, wording);

    private static void Debit(ref SplitMix64 random, List<MonthlyItem> bills, BankTexts texts, string countryCode, int day, ulong seed, bool heating, int chance, Option[] options)
    {
        if (!random.Percent(chance))
        {
            return;
        }

        var option = random.Pick(options);
        var minor = Between(ref random, option.MinMinor, option.MaxMinor, option.MaxMinor > 100_00 ? 1_00 : 10);
        // Autogiro days spread over the end of the month, as the biller chooses, not the customer.
        var dueDay = Math.Clamp(day - random.Below(3), 1, 28);
        bills.Add(new MonthlyItem(OccurrenceKind.DirectDebit, dueDay, DayShift.NextWeekday, Party.Company(option.Party, countryCode), minor,
            texts.DirectDebitText + " " + option.Short, Heating: heating,
            Noise: heating ? StableHash.Of(seed, (ulong)bills.Count + 1) | 1 : 0, NoisePercent: heating ? 8 : 0));
    }

    private static void Subscription(ref SplitMix64 random, List<MonthlyItem> bills, int chance, Option[] options)
    {
        if (!random.Percent(chance))
        {
            return;
        }

        var option = random.Pick(options);
        bills.Add(new MonthlyItem(OccurrenceKind.CardSubscription, 1 + random.Below(28), DayShift.None, new Party(option.Party, null),
            Between(ref random, option.MinMinor, option.MaxMinor, 1_00), option.Short));
    }

    private static long Between(ref SplitMix64 random, long min, long max, long unit) =>
        min + (random.Below((int)((max - min) / unit) + 1) * unit);
}
