using DocAIche.Documents.Ingestion;
using DocAIche.Documents.Model;

namespace DocAIche.UnitTests.Documents;

public sealed class DocumentEventsTests
{
    private static readonly VersionTarget Target = new("tenant-a", Guid.NewGuid(), "react", false, Guid.NewGuid(), "19");

    private static Document Document() => new()
    {
        Id = Guid.NewGuid(), TenantId = "tenant-a", Key = "docs/a.md", Title = "A", Content = "", ContentHash = new string('0', 64), Revision = 3,
    };

    private static Chunk Chunk(int ordinal, int size) => new()
    {
        Id = Guid.NewGuid(), TenantId = "tenant-a", Ordinal = ordinal, Breadcrumb = "A", Content = new string('x', size), ContentHash = new string('1', 64),
    };

    [Fact]
    public void A_small_document_travels_in_one_message_with_every_chunk()
    {
        var chunks = Enumerable.Range(0, 5).Select(i => Chunk(i, 1000)).ToList();

        var message = Assert.Single(DocumentWriter.ChangeEvents(Target, Document(), chunks, DateTimeOffset.UnixEpoch));

        Assert.Equal((1, 1), (message.Part, message.PartCount));
        Assert.Equal(chunks.Select(c => c.Id), message.ChunkIds);
        Assert.Equal(5, message.Chunks.Count);
        Assert.Equal(3, message.Revision);
        Assert.Equal("19", message.Version);
    }

    [Fact]
    public void A_large_document_is_split_over_messages_and_no_chunk_is_dropped()
    {
        var chunks = Enumerable.Range(0, 100).Select(i => Chunk(i, 20_000)).ToList();

        var messages = DocumentWriter.ChangeEvents(Target, Document(), chunks, DateTimeOffset.UnixEpoch).ToList();

        Assert.True(messages.Count > 1);
        Assert.All(messages, m => Assert.Equal(messages.Count, m.PartCount));
        Assert.Equal(Enumerable.Range(1, messages.Count), messages.Select(m => m.Part));
        Assert.Equal(chunks.Select(c => c.Id), messages.SelectMany(m => m.Chunks).Select(c => c.ChunkId));
        Assert.All(messages, m => Assert.Equal(100, m.ChunkIds.Count));
        Assert.All(messages, m => Assert.True(m.Chunks.Sum(c => c.Content.Length) <= DocumentWriter.MaxEventCharacters));
    }

    [Fact]
    public void A_single_chunk_larger_than_a_message_still_travels()
    {
        var chunks = new List<Chunk> { Chunk(0, DocumentWriter.MaxEventCharacters + 10), Chunk(1, 10) };

        var messages = DocumentWriter.ChangeEvents(Target, Document(), chunks, DateTimeOffset.UnixEpoch).ToList();

        Assert.Equal(2, messages.Count);
        Assert.Equal(2, messages.Sum(m => m.Chunks.Count));
    }

    [Fact]
    public void A_document_without_chunks_still_announces_its_revision()
    {
        var message = Assert.Single(DocumentWriter.ChangeEvents(Target, Document(), [], DateTimeOffset.UnixEpoch));

        Assert.Empty(message.Chunks);
        Assert.Empty(message.ChunkIds);
    }
}
