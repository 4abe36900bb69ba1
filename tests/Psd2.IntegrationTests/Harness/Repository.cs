namespace Psd2.IntegrationTests.Harness;

/// <summary>Where the repository is and which configuration built the tests (and with them the services).</summary>
public static class Repository
{
    public static string Root { get; } = FindRoot();

    /// <summary>Debug or Release: the folder above <c>net10.0</c> in this assembly's output path.</summary>
    public static string Configuration { get; } = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/')).Parent!.Name;

    private static string FindRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Psd2.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException("Psd2.sln not found above " + AppContext.BaseDirectory);
    }
}
