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
}
