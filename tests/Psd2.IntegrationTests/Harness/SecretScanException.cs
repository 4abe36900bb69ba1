namespace Psd2.IntegrationTests.Harness;

/// <summary>
/// The end-of-run look for secrets in the resources' logs found one, or could not look properly. Its own type because
/// <c>dotnet test</c> at its default verbosity names only the exception type of a failed fixture; the message (kinds and
/// resources, never a secret) shows with <c>--logger "console;verbosity=normal"</c>.
/// </summary>
public sealed class SecretScanException(string message) : Exception(message);
