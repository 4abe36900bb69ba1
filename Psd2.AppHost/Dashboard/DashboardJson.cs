using System.Text.Json;
using System.Text.Json.Serialization;

namespace Psd2.AppHost.Dashboard;

internal static class DashboardJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };
}
