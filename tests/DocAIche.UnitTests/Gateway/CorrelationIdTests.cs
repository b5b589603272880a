using DocAIche.Gateway.Correlation;

namespace DocAIche.UnitTests.Gateway;

public sealed class CorrelationIdTests
{
    [Theory]
    [InlineData("order-4711", true)]
    [InlineData("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", true)]
    [InlineData("", false)]
    [InlineData("has spaces", false)]
    [InlineData("line\nbreak", false)]
    [InlineData("<script>", false)]
    public void Only_short_token_like_ids_are_taken_from_the_caller(string value, bool acceptable) =>
        Assert.Equal(acceptable, CorrelationIdMiddleware.IsAcceptable(value));

    [Fact]
    public void An_id_longer_than_128_characters_is_not_taken() =>
        Assert.False(CorrelationIdMiddleware.IsAcceptable(new string('a', 129)));
}
