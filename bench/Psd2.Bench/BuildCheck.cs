using Psd2.IntegrationTests.Harness;
using System.Diagnostics;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace Psd2.Bench;

/// <summary>Which build the figures come from: the harness starts the services from bin/&lt;Configuration&gt;/net10.0.</summary>
public static class BuildCheck
{
    public static string BenchConfiguration =>
#if DEBUG
        "Debug";
#else
        "Release";
#endif

    /// <summary>The configuration the AppHost was built in, which is the one whose service output it starts.</summary>
    public static string ServicesConfiguration => Repository.Configuration;

    public static string ServiceAssembly(string project) =>
        Path.Combine(Repository.Root, project, "bin", Repository.Configuration, "net10.0", project + ".dll");

    /// <summary>
    /// Whether the assembly's IL was compiled with optimizations: a Debug build carries
    /// DebuggableAttribute(DebuggingModes.DisableOptimizations). Null when the file cannot be read.
    /// </summary>
    public static bool? IsOptimized(string assemblyPath)
    {
        if (!File.Exists(assemblyPath))
        {
            return null;
        }

        using var stream = File.OpenRead(assemblyPath);
        using var pe = new PEReader(stream);
        var metadata = pe.GetMetadataReader();
        foreach (var handle in metadata.GetAssemblyDefinition().GetCustomAttributes())
        {
            var attribute = metadata.GetCustomAttribute(handle);
            if (attribute.Constructor.Kind != HandleKind.MemberReference)
            {
                continue;
            }

            var constructor = metadata.GetMemberReference((MemberReferenceHandle)attribute.Constructor);
            if (constructor.Parent.Kind != HandleKind.TypeReference
                || metadata.GetString(metadata.GetTypeReference((TypeReferenceHandle)constructor.Parent).Name) != nameof(DebuggableAttribute))
            {
                continue;
            }

            // Blob: prolog 0x0001, then DebuggingModes as int32 (the form the C# compiler emits).
            var blob = metadata.GetBlobReader(attribute.Value);
            if (blob.Length >= 6 && blob.ReadUInt16() == 1)
            {
                var modes = (DebuggableAttribute.DebuggingModes)blob.ReadInt32();
                return !modes.HasFlag(DebuggableAttribute.DebuggingModes.DisableOptimizations);
            }
        }

        return true;
    }
}
