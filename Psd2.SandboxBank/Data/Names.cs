namespace Psd2.SandboxBank.Data;

/// <summary>Common given names and surnames, for customers and the people they pay.</summary>
internal static class Names
{
    public static readonly string[] SwedishGiven =
    [
        "Anna", "Eva", "Maria", "Karin", "Sara", "Emma", "Johanna", "Lena", "Elin", "Ida", "Linnea", "Maja", "Alice",
        "Ebba", "Wilma", "Klara", "Frida", "Sofia", "Hanna", "Malin", "Åsa", "Ingrid", "Astrid", "Elsa", "Saga", "Tove",
        "Erik", "Lars", "Karl", "Anders", "Johan", "Per", "Nils", "Mikael", "Jonas", "Oskar", "Hugo", "William", "Lucas",
        "Filip", "Axel", "Gustav", "Henrik", "Magnus", "Olof", "Björn", "Viktor", "Emil", "Daniel", "Mattias", "Ali",
        "Mohammed", "Amir", "Leila", "Noor", "Yusuf",
    ];

    public static readonly string[] SwedishFamily =
    [
        "Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson", "Persson", "Svensson",
        "Gustafsson", "Pettersson", "Jonsson", "Jansson", "Hansson", "Bengtsson", "Jönsson", "Lindberg", "Lindström",
        "Lindqvist", "Lindgren", "Berg", "Axelsson", "Bergström", "Lundberg", "Lundgren", "Sandberg", "Holm", "Ek",
        "Sjöberg", "Wallin", "Engström", "Danielsson", "Forsberg", "Nyström", "Åberg", "Strand", "Hassan", "Ahmed",
        "Nguyen", "Kaya",
    ];

    public static readonly string[] FinnishGiven =
    [
        "Mikko", "Juha", "Timo", "Antti", "Jukka", "Matti", "Ville", "Teemu", "Aino", "Laura", "Emilia", "Sanna",
        "Johanna", "Elina", "Leena", "Kaisa", "Minna", "Tiina",
    ];

    public static readonly string[] FinnishFamily =
    [
        "Virtanen", "Korhonen", "Nieminen", "Mäkinen", "Hämäläinen", "Laine", "Heikkinen", "Koskinen", "Järvinen",
        "Lehtonen", "Lehtinen", "Saarinen", "Salminen", "Heinonen", "Niemi", "Lindroos", "Holmström",
    ];

    public static string Swedish(ref SplitMix64 random) => random.Pick(SwedishGiven) + " " + random.Pick(SwedishFamily);

    public static string Finnish(ref SplitMix64 random) => random.Pick(FinnishGiven) + " " + random.Pick(FinnishFamily);
}
