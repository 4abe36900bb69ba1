using Psd2.Core.Connectors;
using Psd2.Core.Security;

namespace Psd2.Core.Connections;

public static class ConsentHandles
{
    /// <summary>The connection's consent at the bank with its tokens decrypted, when it still holds them.</summary>
    public static ConsentHandle ConsentOf(this TokenProtector protector, Connection connection) => new(
        connection.BankConsentId ?? throw new InvalidOperationException("The connection holds no consent."),
        connection.AccessTokenCipher is { } access ? protector.Unprotect(access, connection.Id) : null,
        connection.RefreshTokenCipher is { } refresh ? protector.Unprotect(refresh, connection.Id) : null);
}
