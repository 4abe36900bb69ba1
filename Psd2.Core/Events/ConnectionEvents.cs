using Psd2.Core.Connections;
using Psd2.Core.Persistence;

namespace Psd2.Core.Events;

public static class ConnectionEvents
{
    /// <summary>
    /// Adds the event of a connection's change to the unit of work unless the code that made the change already
    /// added it there: a status change is told exactly once, whichever layer noticed it first.
    /// </summary>
    public static void Ensure(Psd2DbContext db, TimeProvider time, Connection connection, string type, object? data = null)
    {
        var told = db.ChangeTracker.Entries<PlatformEvent>().Any(e => e.Entity.ConnectionId == connection.Id && e.Entity.Type == type);
        if (!told)
        {
            db.PlatformEvents.Add(PlatformEvent.Of(time, type, connection.ClientAppId, connection.UserId, connection.Id, data));
        }
    }
}
