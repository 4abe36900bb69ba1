namespace Psd2.SandboxBank.Data;

/// <summary>Where an account's money is spent, which decides its currency, merchants and language.</summary>
internal enum Market
{
    /// <summary>Kronor, Swedish shops and Swish.</summary>
    Sweden,

    /// <summary>Euro at the bank's Finnish branch: Finnish shops, MobilePay, Finnish texts.</summary>
    Finland,

    /// <summary>A Swedish euro account for travel and foreign web shops.</summary>
    EuroTravel,

    /// <summary>Kronor of a café: customers pay by Swish, supplies are bought by card and invoice.</summary>
    Cafe,
}
