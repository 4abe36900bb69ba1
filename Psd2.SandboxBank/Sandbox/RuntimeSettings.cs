namespace Psd2.SandboxBank.Sandbox;

/// <summary>
/// The top configuration layer, which the sandbox controls write at run time (fault profiles, the signature
/// requirement). Options bound through IOptionsMonitor see each change at once; a restart returns to the
/// configured values.
/// </summary>
public sealed class RuntimeSettings : ConfigurationProvider, IConfigurationSource
{
    public IConfigurationProvider Build(IConfigurationBuilder builder) => this;

    public void Replace(string prefix, IReadOnlyDictionary<string, string?> values)
    {
        lock (Data)
        {
            foreach (var key in Data.Keys.Where(k => k.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)).ToList())
            {
                Data.Remove(key);
            }

            foreach (var (key, value) in values)
            {
                Data[prefix + key] = value;
            }
        }

        OnReload();
    }

    public void Clear()
    {
        lock (Data)
        {
            Data.Clear();
        }

        OnReload();
    }
}
