using System.Buffers.Binary;

namespace Psd2.SandboxBank.Data;

/// <summary>The sandbox bank's customers and accounts, generated from a seed.</summary>
public static class SyntheticBank
{
    /// <summary>Lars Lindqvist, who runs a café: over 100,000 booked transactions, for paging and performance tests.</summary>
    public const string LargePsu = "197503152386";

    /// <summary>Maja Lindberg: approves in the BankID app after the bank's configured delay.</summary>
    public const string ApprovingPsu = "198805121236";

    /// <summary>Oskar Nyström: cancels in the BankID app.</summary>
    public const string CancellingPsu = "199107242340";

    /// <summary>Elsa Holm: never opens the BankID app, so the order times out.</summary>
    public const string TimingOutPsu = "198211033454";

    /// <summary>Hugo Sandberg: waits for a tester to answer on the bank's "BankID app" page.</summary>
    public const string ManualPsu = "199502284566";

    public const int MaxAccountsPerPsu = 10;

    private const int OrdinaryPsus = 8;

    /// <summary>
    /// The documented test PSUs first, then ordinary ones. Accounts open some 800 days before
    /// <paramref name="today"/>, so generating again with a later day moves every account's history.
    /// </summary>
    public static IReadOnlyList<PsuSeed> Generate(ulong seed, DateOnly today)
    {
        var random = new SplitMix64(StableHash.Of(seed, (ulong)HashStream.Population));
        var psus = new List<PsuSeed>
        {
            Psu(seed, 0, HouseholdKind.Business, 2, LargePsu, "Lars Lindqvist", DecoupledBehaviour.ApproveAfterDelay, today.AddDays(-830)),
            Psu(seed, 1, HouseholdKind.Ordinary, 3, ApprovingPsu, "Maja Lindberg", DecoupledBehaviour.ApproveAfterDelay, OpenedOn(ref random, today)),
            Psu(seed, 2, HouseholdKind.Ordinary, 2, CancellingPsu, "Oskar Nyström", DecoupledBehaviour.Cancel, OpenedOn(ref random, today)),
            Psu(seed, 3, HouseholdKind.Finland, 2, TimingOutPsu, "Elsa Holm", DecoupledBehaviour.Timeout, OpenedOn(ref random, today)),
            Psu(seed, 4, HouseholdKind.Ordinary, 4, ManualPsu, "Hugo Sandberg", DecoupledBehaviour.Manual, OpenedOn(ref random, today)),
        };

        var taken = psus.Select(p => p.PersonalNumber).ToHashSet(StringComparer.Ordinal);
        for (var i = 0; i < OrdinaryPsus; i++)
        {
            var kind = i % 4 == 3 ? HouseholdKind.Finland : HouseholdKind.Ordinary;
            var count = 2 + random.Below(3);
            string personalNumber;
            do
            {
                personalNumber = RandomPersonalNumber(ref random, today);
            }
            while (!taken.Add(personalNumber));

            psus.Add(Psu(seed, 5 + i, kind, count, personalNumber, Names.Swedish(ref random), DecoupledBehaviour.ApproveAfterDelay, OpenedOn(ref random, today)));
        }

        return psus;
    }

    /// <summary>
    /// A new PSU with <paramref name="accountCount"/> accounts and two years of history: a salary account first,
    /// then savings, a euro account, and more savings.
    /// </summary>
    /// <param name="seed">Must differ between PSUs: the same seed gives the same accounts.</param>
    /// <param name="personalNumber">Null for a generated one; otherwise a valid personnummer.</param>
    /// <param name="name">Null for a generated one.</param>
    public static PsuSeed CreatePsu(ulong seed, DateOnly today, string? personalNumber, string? name, int accountCount, DecoupledBehaviour decoupled)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(accountCount, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(accountCount, MaxAccountsPerPsu);
        if (personalNumber is not null && !PersonalNumber.IsValid(personalNumber))
        {
            throw new ArgumentException("Not a valid twelve-digit personnummer.", nameof(personalNumber));
        }

        if (name is not null && string.IsNullOrWhiteSpace(name))
        {
            throw new ArgumentException("A name cannot be blank.", nameof(name));
        }

        var random = new SplitMix64(StableHash.Of(seed, (ulong)HashStream.CreatedPsu));
        var kind = random.Below(5) == 0 ? HouseholdKind.Finland : HouseholdKind.Ordinary;
        var generatedNumber = RandomPersonalNumber(ref random, today);
        var generatedName = Names.Swedish(ref random);
        var key = Household.KeyFrom(StableHash.Of(seed, (ulong)HashStream.CreatedPsu, 1));
        return Build(key, kind, accountCount, personalNumber ?? generatedNumber, name?.Trim() ?? generatedName, decoupled, OpenedOn(ref random, today));
    }

    private static PsuSeed Psu(ulong seed, int number, HouseholdKind kind, int count, string personalNumber, string name, DecoupledBehaviour decoupled, DateOnly openedOn) =>
        Build(Household.KeyFrom(StableHash.Of(seed, (ulong)HashStream.Population, (ulong)number + 1)), kind, count, personalNumber, name, decoupled, openedOn);

    private static PsuSeed Build(ulong key, HouseholdKind kind, int count, string personalNumber, string name, DecoupledBehaviour decoupled, DateOnly openedOn)
    {
        var household = Household.Create(key, kind, count);
        var accounts = household.Accounts
            .Select(a => new AccountSeed(
                ResourceId(a.Seed),
                a.Iban,
                a.Currency,
                a.Name,
                a.Product,
                name,
                Money.FromMinor(Budget.OpeningBalance(household, a)),
                openedOn,
                a.TransactionsPerDay,
                a.Seed))
            .ToArray();
        return new PsuSeed(personalNumber, name, decoupled, accounts);
    }

    private static DateOnly OpenedOn(ref SplitMix64 random, DateOnly today) => today.AddDays(-(780 + random.Below(121)));

    /// <summary>An adult of working age on <paramref name="today"/>, with a random birth serial.</summary>
    private static string RandomPersonalNumber(ref SplitMix64 random, DateOnly today)
    {
        var birth = today.AddYears(-(20 + random.Below(50))).AddDays(-random.Below(365));
        return PersonalNumber.Create(birth, random.Below(1000));
    }

    /// <summary>A version-4-shaped GUID from the seed, so resource ids look like any other bank's and never change.</summary>
    private static string ResourceId(ulong seed)
    {
        Span<byte> bytes = stackalloc byte[16];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, StableHash.Of(seed, (ulong)HashStream.ResourceId, 1));
        BinaryPrimitives.WriteUInt64LittleEndian(bytes[8..], StableHash.Of(seed, (ulong)HashStream.ResourceId, 2));
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x40);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes).ToString();
    }
}
