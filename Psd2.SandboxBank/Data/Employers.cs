namespace Psd2.SandboxBank.Data;

/// <summary>Who pays the salaries.</summary>
internal static class Employers
{
    public static readonly string[] Swedish =
    [
        "Ericsson AB", "Region Stockholm", "Stockholms stad", "Skanska Sverige AB", "Volvo Personvagnar AB", "Spotify AB",
        "Klarna Bank AB", "Karolinska Universitetssjukhuset", "Scania CV AB", "ICA Sverige AB", "Polismyndigheten",
        "Uppsala universitet", "Atlas Copco AB", "Sodexo AB", "Forsakringskassan", "SEB AB",
    ];

    public static readonly string[] Finnish =
    [
        "Nokia Oyj", "Kone Oyj", "Wartsila Finland Oy", "Helsingin kaupunki", "Supercell Oy", "Wolt Enterprises Oy",
        "Fortum Oyj", "Aalto-yliopisto", "HUS Helsingin yliopistollinen sairaala",
    ];
}
