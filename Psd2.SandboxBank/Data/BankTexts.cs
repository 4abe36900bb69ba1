namespace Psd2.SandboxBank.Data;

/// <summary>
/// The words on statements in one language: proprietary transaction codes and month names. Kept ASCII, as
/// remittance information travels through SEPA and Bankgirot, whose character sets are narrow.
/// </summary>
internal sealed class BankTexts
{
    public static readonly BankTexts Swedish = new()
    {
        Months = ["januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober", "november", "december"],
        Card = "KORTKOP",
        Cash = "UTTAG",
        Transfer = "SWISH",
        Salary = "LON",
        StandingOrder = "STAENDE OVERFORING",
        DirectDebit = "AUTOGIRO",
        OwnTransfer = "OVERFORING",
        Interest = "RANTA",
        Fee = "AVGIFT",
        Giro = "BANKGIRO",
        CardSettlement = "KORTINLOSEN",
        SalaryText = "Lon",
        RentText = "Hyra",
        HousingFeeText = "Avgift",
        MortgageText = "Bolan ranta och amortering",
        DirectDebitText = "Autogiro",
        SavingsText = "Manadssparande",
        WithdrawalText = "Uttag sparkonto",
        TopUpText = "Overforing eget konto",
        RateText = "kurs",
        InterestText = "Ranta",
        FeeText = "Bankpaket",
        CashText = "Bankomat",
        EmptyTransferText = "Swish",
    };

    public static readonly BankTexts Finnish = new()
    {
        Months = ["tammikuu", "helmikuu", "maaliskuu", "huhtikuu", "toukokuu", "kesakuu", "heinakuu", "elokuu", "syyskuu", "lokakuu", "marraskuu", "joulukuu"],
        Card = "KORTTIOSTO",
        Cash = "NOSTO",
        Transfer = "MOBILEPAY",
        Salary = "PALKKA",
        StandingOrder = "TOISTUVA MAKSU",
        DirectDebit = "SUORAVELOITUS",
        OwnTransfer = "TILISIIRTO",
        Interest = "KORKO",
        Fee = "PALVELUMAKSU",
        Giro = "TILISIIRTO",
        CardSettlement = "KORTTITILITYS",
        SalaryText = "Palkka",
        RentText = "Vuokra",
        HousingFeeText = "Yhtiovastike",
        MortgageText = "Asuntolaina lyhennys ja korko",
        DirectDebitText = "Suoraveloitus",
        SavingsText = "Kuukausisaasto",
        WithdrawalText = "Siirto saastotililta",
        TopUpText = "Oma tilisiirto",
        RateText = "kurssi",
        InterestText = "Korko",
        FeeText = "Palvelupaketti",
        CashText = "Otto",
        EmptyTransferText = "MobilePay",
    };

    public required string[] Months { get; init; }

    public required string Card { get; init; }

    public required string Cash { get; init; }

    public required string Transfer { get; init; }

    public required string Salary { get; init; }

    public required string StandingOrder { get; init; }

    public required string DirectDebit { get; init; }

    public required string OwnTransfer { get; init; }

    public required string Interest { get; init; }

    public required string Fee { get; init; }

    public required string Giro { get; init; }

    public required string CardSettlement { get; init; }

    public required string SalaryText { get; init; }

    public required string RentText { get; init; }

    public required string HousingFeeText { get; init; }

    public required string MortgageText { get; init; }

    public required string DirectDebitText { get; init; }

    public required string SavingsText { get; init; }

    public required string WithdrawalText { get; init; }

    public required string TopUpText { get; init; }

    public required string RateText { get; init; }

    public required string InterestText { get; init; }

    public required string FeeText { get; init; }

    public required string CashText { get; init; }

    public required string EmptyTransferText { get; init; }

    public string Month(DateOnly day) => Months[day.Month - 1];

    public string NextMonth(DateOnly day) => Months[day.Month % 12];
}
