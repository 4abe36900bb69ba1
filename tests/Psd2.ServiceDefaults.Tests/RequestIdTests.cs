using Psd2.ServiceDefaults.RequestIds;

namespace Psd2.ServiceDefaults.Tests;

public sealed class RequestIdTests
{
    [Theory]
    [InlineData("3f2b8c1e-8d7a-4b8e-9a43-0c6f1d2e3a4b")]
    [InlineData("client-42.retry:1")]
    [InlineData("A_b")]
    public void SaneCallerIdsAreKept(string candidate) => Assert.Equal(candidate, RequestIdMiddleware.Accept(candidate));

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("new\nline")]
    [InlineData("<script>")]
    [InlineData("ünïcode")]
    public void UnsafeCallerIdsAreReplaced(string candidate) => Assert.Null(RequestIdMiddleware.Accept(candidate));

    [Fact]
    public void OverlongCallerIdsAreReplaced() => Assert.Null(RequestIdMiddleware.Accept(new string('a', 129)));
}
