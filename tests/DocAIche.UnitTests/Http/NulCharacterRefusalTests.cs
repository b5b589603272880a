using System.Text;
using DocAIche.ServiceDefaults.Http;

namespace DocAIche.UnitTests.Http;

public sealed class NulCharacterRefusalTests
{
    private static string? Field(string json) => NulCharacterRefusal.FieldWithNul(Encoding.UTF8.GetBytes(json));

    [Theory]
    [InlineData("""{"name":"a\u0000b"}""", "name")]
    [InlineData("""{"Name":"a\u0000b"}""", "name")]
    [InlineData("""{"settings":{"include":["docs/**","x\u0000"]}}""", "settings.include[1]")]
    [InlineData("""{"a":1,"b":[{"c":"ok"},{"d":"\u0000"}]}""", "b[1].d")]
    [InlineData("""{"ke\u0000y":"value"}""", "ke\u0000y")]
    [InlineData("""["\u0000"]""", "[0]")]
    [InlineData("\"\\u0000\"", "body")]
    public void A_nul_anywhere_in_a_json_body_is_found_with_its_field(string json, string expected)
    {
        Assert.Equal(expected, Field(json));
    }

    [Theory]
    [InlineData("""{"name":"a\\u0000b"}""")] // an escaped backslash: the text "\u0000", no NUL
    [InlineData("""{"name":"fine","n":0}""")]
    [InlineData("""{"broken":""")]
    public void Text_without_a_nul_is_let_through(string json)
    {
        Assert.Null(Field(json));
    }

    /// <summary>Hands out a few bytes per read, as a slow client's body arrives.</summary>
    private sealed class TrickleStream(byte[] bytes, int perRead) : MemoryStream(bytes)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(perRead, buffer.Length)], cancellationToken);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(4096)]
    public async Task The_escape_is_found_even_across_reads(int perRead)
    {
        var json = Encoding.UTF8.GetBytes("{\"pad\":\"" + new string('x', 20_000) + "\",\"name\":\"a\\u0000b\"}");

        Assert.True(await NulCharacterRefusal.ContainsEscapeAsync(new TrickleStream(json, perRead), CancellationToken.None));
        Assert.False(await NulCharacterRefusal.ContainsEscapeAsync(new TrickleStream(Encoding.UTF8.GetBytes("{\"name\":\"fine\"}"), perRead), CancellationToken.None));
    }
}
