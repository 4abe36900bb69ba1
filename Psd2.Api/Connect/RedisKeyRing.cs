using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;
using StackExchange.Redis;

namespace Psd2.Api.Connect;

/// <summary>
/// The data-protection key ring, which signs the Connect form's antiforgery tokens, kept in Redis: a form one api
/// replica renders is accepted by another, and a restart does not invalidate forms open in browsers.
/// </summary>
public sealed class RedisKeyRing(IConnectionMultiplexer redis) : IXmlRepository
{
    private const string Key = "psd2:data-protection-keys";

    public IReadOnlyCollection<XElement> GetAllElements() =>
        redis.GetDatabase().ListRange(Key).Select(v => XElement.Parse((string)v!)).ToList();

    public void StoreElement(XElement element, string friendlyName) =>
        redis.GetDatabase().ListRightPush(Key, element.ToString(SaveOptions.DisableFormatting));
}
