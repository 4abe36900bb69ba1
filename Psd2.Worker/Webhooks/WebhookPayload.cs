using System.Text.Json;

namespace Psd2.Worker.Webhooks;

/// <summary>
/// The body of a delivery: <c>{"id", "type", "occurredAt", "clientAppId", "userId", "connectionId", "data"}</c>, where
/// <c>data</c> is the event's payload as stored. The same bytes are signed and sent.
/// </summary>
public static class WebhookPayload
{
    public static byte[] Body(ClaimedDelivery delivery)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("id", delivery.EventId);
            json.WriteString("type", delivery.EventType);
            json.WriteString("occurredAt", delivery.OccurredAt);
            json.WriteString("clientAppId", delivery.ClientAppId);
            WriteId(json, "userId", delivery.UserId);
            WriteId(json, "connectionId", delivery.ConnectionId);
            json.WritePropertyName("data");
            json.WriteRawValue(delivery.Data);
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static void WriteId(Utf8JsonWriter json, string name, Guid? id)
    {
        if (id is { } value)
        {
            json.WriteString(name, value);
        }
        else
        {
            json.WriteNull(name);
        }
    }
}
