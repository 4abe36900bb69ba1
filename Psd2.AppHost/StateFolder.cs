using Microsoft.Extensions.Configuration;
using System.Security.Cryptography;
using Psd2.SandboxPki;

namespace Psd2.AppHost;

/// <summary>
/// The git-ignored folder a run keeps between starts (<c>AppHost:StateFolder</c>, default <c>.psd2/</c> in the
/// repository): PostgreSQL's data, the sandbox PKI, generated secrets and <c>resources.json</c>.
/// </summary>
public sealed class StateFolder
{
    public const string SandboxAdminKeyFile = "sandbox-admin-key";
    public const string TokenEncryptionKeyFile = "token-encryption-key";
    public const string JobsOperatorPasswordFile = "jobs-operator-password";
    public const string JobsViewerPasswordFile = "jobs-viewer-password";

    private StateFolder(string path)
    {
        Path = path;
        Directory.CreateDirectory(path);
        // Created before any resource starts: the bank serves TLS with it and api and worker present its QWAC.
        Pki = SandboxCertificates.EnsureCreated(System.IO.Path.Combine(path, "pki"));
    }

    public string Path { get; }

    public SandboxPkiFiles Pki { get; }

    /// <summary>Throwaway data (tests): PostgreSQL trades durability for speed.</summary>
    public bool Disposable { get; private init; }

    public static StateFolder Open(IDistributedApplicationBuilder builder)
    {
        var configured = builder.Configuration["AppHost:StateFolder"];
        var path = System.IO.Path.GetFullPath(configured ?? System.IO.Path.Combine(builder.AppHostDirectory, "..", ".psd2"));
        return new StateFolder(path) { Disposable = builder.Configuration.GetValue<bool>("AppHost:DisposableData") };
    }

    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    /// <summary>A secret generated once and kept in the folder, so data of earlier runs stays readable.</summary>
    public string Secret(string relativePath)
    {
        var file = Combine(relativePath);
        if (File.Exists(file))
        {
            return File.ReadAllText(file).Trim();
        }

        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(file)!);
        var secret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        WritePrivate(file, secret);
        return secret;
    }

    /// <summary>Writes a file only its owner can read: it holds a secret or names one.</summary>
    public static void WritePrivate(string file, string contents)
    {
        using (var stream = new FileStream(file, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            using var writer = new StreamWriter(stream);
            writer.Write(contents);
        }
    }
}
