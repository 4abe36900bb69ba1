namespace Psd2.SandboxBank.Data;

/// <summary>
/// A PSU's accounts and the money flowing between them. An account seed carries its household's key, kind and
/// size and its own place, so any one account can work out its siblings: a monthly saving then shows on both the
/// salary account and the savings account without either being generated from the other.
/// </summary>
internal sealed class Household
{
    /// <summary>Seed layout: key (52 bits) | kind (4) | account count (4) | account index (4).</summary>
    private const int KeyShift = 12;
    private const int KindShift = 8;
    private const int CountShift = 4;

    public const int MaxAccounts = 15;

    /// <summary>Transactions per day of a café's account: enough for 100,000 in two years.</summary>
    public const int BusinessTransactionsPerDay = 140;

    private static readonly string[] FirstSavingsNames = ["Sparkonto", "Buffert", "Sparande"];
    private static readonly string[] MoreSavingsNames =
    [
        "Semesterkassa", "Bilkonto", "Renovering", "Barnens sparkonto", "Resfond", "Pensionssparande", "Bröllopskassa",
        "Sommarstugan", "Hushållskassa", "Presentkonto", "Cykelkassa", "Studiekassa",
    ];

    private Household(ulong key, HouseholdKind kind, AccountLayout[] accounts)
    {
        Key = key;
        Kind = kind;
        Accounts = accounts;
        Home = Array.Find(accounts, a => a.Role == AccountRole.Salary);
        Business = Array.Find(accounts, a => a.Role == AccountRole.Business);
    }

    public ulong Key { get; }

    public HouseholdKind Kind { get; }

    public IReadOnlyList<AccountLayout> Accounts { get; }

    /// <summary>The salary account, which funds the others.</summary>
    public AccountLayout? Home { get; }

    public AccountLayout? Business { get; }

    public static ulong SeedOf(ulong key, HouseholdKind kind, int count, int index) =>
        (key << KeyShift) | ((ulong)(uint)kind << KindShift) | ((ulong)(uint)count << CountShift) | (uint)index;

    /// <summary>Keys fit in the seed's top 52 bits.</summary>
    public static ulong KeyFrom(ulong hash) => hash >> KeyShift;

    public static Household Of(ulong accountSeed, out AccountLayout account)
    {
        var index = (int)(accountSeed & 0xF);
        var count = Math.Max((int)((accountSeed >> CountShift) & 0xF), index + 1);
        var kind = (HouseholdKind)((int)((accountSeed >> KindShift) & 0xF) % 3);
        var household = Create(accountSeed >> KeyShift, kind, count);
        account = household.Accounts[index];
        return household;
    }

    public static Household Create(ulong key, HouseholdKind kind, int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, MaxAccounts);
        var accounts = new AccountLayout[count];
        var savings = 0;
        for (var index = 0; index < count; index++)
        {
            accounts[index] = Layout(key, kind, count, index, ref savings);
        }

        return new Household(key, kind, accounts);
    }

    private static AccountLayout Layout(ulong key, HouseholdKind kind, int count, int index, ref int savings)
    {
        var seed = SeedOf(key, kind, count, index);
        var random = new SplitMix64(StableHash.Of(key, (ulong)HashStream.Layout, (ulong)index));
        var role = RoleOf(kind, index);
        switch (role)
        {
            case AccountRole.Business:
                return new(seed, index, role, Market.Cafe, "SE", "Företagskonto", "Rörelsekonto", BusinessTransactionsPerDay);
            case AccountRole.Salary:
                var perDay = 2 + random.Below(3);
                return kind == HouseholdKind.Finland
                    ? new(seed, index, role, Market.Finland, "FI", "Eurokonto", random.Pick(["Lönekonto", "Vardagskonto euro"]), perDay)
                    : new(seed, index, role, Market.Sweden, "SE", "Privatkonto", random.Pick(["Lönekonto", "Vardagskonto", "Privatkonto"]), perDay);
            case AccountRole.Secondary:
                return kind == HouseholdKind.Finland
                    ? new(seed, index, role, Market.Sweden, "SE", "Privatkonto", "Sverigekonto", 1)
                    : new(seed, index, role, Market.EuroTravel, "SE", "Eurokonto", random.Pick(["Resekonto", "Eurokonto"]), 1);
            default:
                // Names differ between a PSU's savings accounts, or a TPP's user could not tell them apart.
                var name = savings == 0 ? random.Pick(FirstSavingsNames)
                    : savings <= MoreSavingsNames.Length ? MoreSavingsNames[savings - 1]
                    : "Sparkonto " + savings.ToString(System.Globalization.CultureInfo.InvariantCulture);
                savings++;
                return kind == HouseholdKind.Finland
                    ? new(seed, index, role, Market.Finland, "FI", "Sparkonto", name, 0)
                    : new(seed, index, role, Market.Sweden, "SE", "Sparkonto", name, 0);
        }
    }

    private static AccountRole RoleOf(HouseholdKind kind, int index)
    {
        if (kind == HouseholdKind.Business)
        {
            if (index == 0)
            {
                return AccountRole.Business;
            }

            index--;
        }

        return index switch
        {
            0 => AccountRole.Salary,
            2 => AccountRole.Secondary,
            _ => AccountRole.Savings,
        };
    }
}
