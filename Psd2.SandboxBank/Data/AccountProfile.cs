namespace Psd2.SandboxBank.Data;

/// <summary>
/// An account's fixed circumstances, worked out once from its seed: who pays it, what it pays each month, who
/// its owner Swishes with. Immutable, so one instance serves every thread.
/// </summary>
internal sealed class AccountProfile
{
    private const int ContactCount = 12;
    private const int RegularCustomers = 400;
    private const int Employees = 2;

    public AccountProfile(AccountSeed account)
    {
        Account = account;
        Household = Household.Of(account.Seed, out var layout);
        Layout = layout;
        Catalogue = MarketCatalogue.For(layout.Market);
        var random = new SplitMix64(StableHash.Of(account.Seed, (ulong)HashStream.Contacts));
        Contacts = People(ref random, layout.Market == Market.Cafe ? RegularCustomers : ContactCount);
        Monthly = MonthlyItems(ref random);
        if (layout.Role == AccountRole.Salary)
        {
            Savings = [.. Household.Accounts.Where(a => a.Role == AccountRole.Savings)];
        }

        if (layout.Role == AccountRole.Business)
        {
            DailyCardSales = Budget.DailyCardSales(layout);
        }
    }

    public AccountSeed Account { get; }

    public Household Household { get; }

    public AccountLayout Layout { get; }

    public MarketCatalogue Catalogue { get; }

    public BankTexts Texts => Catalogue.Texts;

    /// <summary>Friends and family, or a café's regular customers.</summary>
    public IReadOnlyList<Party> Contacts { get; }

    public IReadOnlyList<MonthlyItem> Monthly { get; }

    /// <summary>For a salary account: the savings accounts that may be drawn on into it.</summary>
    public IReadOnlyList<AccountLayout> Savings { get; } = [];

    public long DailyCardSales { get; }

    public static readonly Party CardAcquirer = Party.Company("Worldline Sweden AB", "SE");

    public static readonly Party TaxAgency = Party.Company("Skatteverket", "SE");

    /// <summary>The owner's own account, as the other side of a transfer.</summary>
    public Party Own(AccountLayout account) => new(Account.OwnerName, account.Iban);

    private Party[] People(ref SplitMix64 random, int count)
    {
        var people = new Party[count];
        for (var i = 0; i < count; i++)
        {
            // A few of a Finland resident's friends are Swedes banking in Sweden.
            var finnish = Catalogue.FinnishPeople && random.Below(4) != 0;
            var name = finnish ? Names.Finnish(ref random) : Names.Swedish(ref random);
            people[i] = new Party(name, AccountNumbers.Other(random.Next(), finnish ? "FI" : "SE"));
        }

        return people;
    }

    private List<MonthlyItem> MonthlyItems(ref SplitMix64 random)
    {
        var items = new List<MonthlyItem>();
        var home = Household.Home;
        switch (Layout.Role)
        {
            case AccountRole.Salary:
                if (Household.Business is { } business)
                {
                    items.Add(new MonthlyItem(OccurrenceKind.OwnTransferIn, 25, DayShift.PreviousWeekday, Own(business),
                        Budget.OwnerDraw(Household), "Eget uttag"));
                }
                else
                {
                    var employer = Layout.Market == Market.Finland
                        ? Party.Company(random.Pick(Employers.Finnish), "FI")
                        : Party.Company(random.Pick(Employers.Swedish), "SE");
                    items.Add(new MonthlyItem(OccurrenceKind.Salary, 25, DayShift.PreviousWeekday, employer,
                        Budget.Income(Household, Layout), Texts.SalaryText, Wording.Month,
                        Noise: random.Next() | 1, NoisePercent: 2));
                }

                items.AddRange(Bills.For(Layout));
                foreach (var sibling in Household.Accounts)
                {
                    if (sibling.Role == AccountRole.Savings)
                    {
                        items.Add(new MonthlyItem(OccurrenceKind.StandingOrder, 26, DayShift.NextWeekday, Own(sibling),
                            Budget.SavingsDeposit(sibling), Texts.SavingsText));
                    }
                    else if (sibling.Role == AccountRole.Secondary)
                    {
                        items.Add(new MonthlyItem(OccurrenceKind.StandingOrder, 26, DayShift.NextWeekday, Own(sibling),
                            Budget.TopUp(sibling, Layout), Texts.TopUpText));
                    }
                }

                break;

            case AccountRole.Savings when home is not null:
                items.Add(new MonthlyItem(OccurrenceKind.OwnTransferIn, 26, DayShift.NextWeekday, Own(home),
                    Budget.SavingsDeposit(Layout), Texts.SavingsText));
                break;

            case AccountRole.Secondary when home is not null:
                var converted = home.Currency != Layout.Currency;
                items.Add(new MonthlyItem(OccurrenceKind.OwnTransferIn, 26, DayShift.NextWeekday, Own(home),
                    Budget.TopUp(Layout, home), Texts.TopUpText, converted ? Wording.Rate : Wording.Fixed,
                    FromCurrency: converted ? home.Currency : null));
                break;

            case AccountRole.Business:
                items.AddRange(Bills.For(Layout));
                for (var employee = 0; employee < Employees; employee++)
                {
                    var person = new Party(Names.Swedish(ref random), AccountNumbers.Other(random.Next(), "SE"));
                    items.Add(new MonthlyItem(OccurrenceKind.StaffSalary, 25, DayShift.PreviousWeekday, person,
                        Budget.StaffSalary(Layout, employee), Texts.SalaryText, Wording.Month));
                }

                items.Add(new MonthlyItem(OccurrenceKind.TaxPayment, 12, DayShift.NextWeekday, TaxAgency,
                    Budget.Tax(Household, Layout, Employees), "Skatt och avgifter", Wording.Month,
                    Noise: random.Next() | 1, NoisePercent: 10));
                var drawTo = home is not null
                    ? Own(home)
                    : new Party(Account.OwnerName, AccountNumbers.Other(Household.Key, "SE"));
                items.Add(new MonthlyItem(OccurrenceKind.OwnTransferOut, 25, DayShift.PreviousWeekday, drawTo,
                    Budget.OwnerDraw(Household), "Eget uttag"));
                break;

            default:
                break;
        }

        return items;
    }
}
