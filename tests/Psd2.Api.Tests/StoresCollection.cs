namespace Psd2.Api.Tests;

/// <summary>The tests that run the api in-process on <see cref="RealStores"/>: one PostgreSQL and Redis for all of them.</summary>
[CollectionDefinition(Name)]
public sealed class StoresCollection : ICollectionFixture<RealStores>
{
    public const string Name = "stores";
}
