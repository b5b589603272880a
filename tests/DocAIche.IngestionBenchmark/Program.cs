// Ingestion throughput without embeddings: a generated corpus of Markdown files in a Git repository
// served over smart HTTP on 127.0.0.1 (git http-backend), read by the documents service's own Git
// reader (ls-remote, shallow fetch, blobs from the object store), then normalised and chunked by
// the same code a job runs. The zip-upload path is measured on the same corpus. Prints documents/s,
// chunks/s and the process's peak memory. Only loopback is ever contacted.
//   dotnet run -c Release --project tests/DocAIche.IngestionBenchmark [files=2000]
// With --service, the same corpus goes through a running DocAIche instead, as a real ingestion job
// (staging, one-transaction apply, chunk events in the outbox), then again after 1% of the files
// changed. Start DocAIche so that it may read the benchmark's loopback Git server:
//   ./run.sh --Ingestion:AllowedNetworks:0=127.0.0.1/32
//   dotnet run -c Release --project tests/DocAIche.IngestionBenchmark -- --service [files]
using DocAIche.ServiceDefaults.Networking;
using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using DocAIche.Documents.Chunking;
using DocAIche.Documents.Crawling;
using DocAIche.Documents.Fetching;
using DocAIche.Documents.Model;
using DocAIche.Documents.Processing;
using DocAIche.Documents.Sources;
using DocAIche.Documents.Uploads;
using DocAIche.IntegrationTests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

var service = args.Contains("--service");
var numbers = args.Where(a => !a.StartsWith("--", StringComparison.Ordinal)).ToList();
var files = numbers.Count > 0 ? int.Parse(numbers[0], System.Globalization.CultureInfo.InvariantCulture) : 2000;
var chunking = new ChunkingOptions();
var chunker = new MarkdownChunker(chunking);

await using var server = await GitHttpServer.StartAsync();
var repository = await server.CreateRepositoryAsync("corpus");
var corpus = Corpus.Generate(files).ToList();
foreach (var (path, text) in corpus)
{
    repository.Write(path, text);
}
await repository.PublishAsync("corpus");
var corpusBytes = corpus.Sum(f => (long)Encoding.UTF8.GetByteCount(f.Text));
Console.WriteLine($"corpus: {files} Markdown files, {corpusBytes / 1024.0 / 1024.0:0.0} MiB, chunk target {chunking.TargetCharacters} chars");
if (service)
{
    return await ServiceBenchmark.RunAsync(repository, corpus);
}

// Warm-up on a small slice so JIT time is not counted.
await Measure("warm-up", corpus.Take(50).Select(f => new SourceItem(f.Path) { Kind = ContentKind.Markdown, Content = f.Text }).ToAsyncEnumerable(), quiet: true);

using var network = new GuardedNetwork(["127.0.0.1/32"], new CrawlerOptions().RequestTimeout);
var reader = new GitRepositoryReader(network, Options.Create(new GitOptions()), NullLogger<GitRepositoryReader>.Instance);
var source = new Source
{
    Id = Guid.NewGuid(), TenantId = "benchmark", Kind = SourceKind.Git, CreatedBy = "benchmark",
    Git = new GitSettings { Url = repository.Url.ToString(), Ref = "main" },
};
var reading = new SourceReading
{
    Job = new IngestionJob { Id = Guid.NewGuid(), TenantId = "benchmark", RequestedBy = "benchmark" },
    Source = source,
    Known = new Dictionary<string, KnownDocument>(),
};
await Measure("git: fetch + normalise + chunk", reader.ReadAsync(reading, CancellationToken.None));

var archive = new MemoryStream();
using (var zip = new ZipArchive(archive, ZipArchiveMode.Create, leaveOpen: true))
{
    foreach (var (path, text) in corpus)
    {
        await using var entry = zip.CreateEntry(path, CompressionLevel.Fastest).Open();
        await entry.WriteAsync(Encoding.UTF8.GetBytes(text));
    }
}
Console.WriteLine($"zip archive: {archive.Length / 1024.0 / 1024.0:0.0} MiB");
await Measure("zip upload: inspect + read + normalise + chunk", ReadZip(archive, new UploadLimits()));

var process = Process.GetCurrentProcess();
process.Refresh();
Console.WriteLine($"peak working set {process.PeakWorkingSet64 / 1024.0 / 1024.0:0} MiB, GC heap now {GC.GetTotalMemory(false) / 1024.0 / 1024.0:0} MiB, " +
    $"total allocated {GC.GetTotalAllocatedBytes() / 1024.0 / 1024.0:0} MiB");
return 0;

async Task Measure(string name, IAsyncEnumerable<SourceItem> items, bool quiet = false)
{
    var clock = Stopwatch.StartNew();
    int documents = 0, chunks = 0, failed = 0;
    await foreach (var item in items)
    {
        if (item.Error is not null || item.Content is null)
        {
            failed++;
            continue;
        }
        var normalised = DocumentNormaliser.Normalise(item.Content, item.Kind ?? ContentKind.Markdown, item.Key);
        chunks += chunker.Chunk(normalised.Markdown, normalised.Title, null).Count;
        documents++;
    }
    clock.Stop();
    if (!quiet)
    {
        var seconds = clock.Elapsed.TotalSeconds;
        Console.WriteLine($"{name,-48} {documents,6} documents {chunks,7} chunks {failed} failed in {seconds,6:0.00} s = " +
            $"{documents / seconds,8:0} documents/s {chunks / seconds,8:0} chunks/s");
    }
}

static async IAsyncEnumerable<SourceItem> ReadZip(MemoryStream archive, UploadLimits limits)
{
    archive.Position = 0;
    var check = UploadArchive.Inspect(archive, limits);
    if (check.Problems.Count > 0)
    {
        throw new InvalidOperationException(string.Join("; ", check.Problems));
    }
    archive.Position = 0;
    foreach (var file in UploadArchive.Read(archive, limits))
    {
        yield return new SourceItem(file.Path) { Kind = file.Kind, Content = file.Text, Error = file.Error };
    }
    await Task.CompletedTask;
}

/// <summary>Documentation-shaped Markdown: headings, paragraphs, lists, code blocks and tables of varied length.</summary>
internal static class Corpus
{
    private static readonly string[] Words =
        "the a request response client server option value configure install cache index query version library token key route handler middleware service event message queue retry timeout document chunk search vector".Split(' ');

    public static IEnumerable<(string Path, string Text)> Generate(int count)
    {
        var random = new Random(42);
        for (var i = 0; i < count; i++)
        {
            var text = new StringBuilder();
            text.Append("# ").Append(Sentence(random, 4)).Append("\n\n").Append(Paragraph(random)).Append("\n\n");
            var sections = random.Next(2, 7);
            for (var s = 0; s < sections; s++)
            {
                text.Append("## ").Append(Sentence(random, 3)).Append("\n\n");
                for (var p = random.Next(1, 5); p > 0; p--)
                {
                    text.Append(Paragraph(random)).Append("\n\n");
                }
                if (random.Next(3) == 0)
                {
                    text.Append("```csharp\n");
                    for (var l = random.Next(3, 25); l > 0; l--)
                    {
                        text.Append("var ").Append(Words[random.Next(Words.Length)]).Append(l).Append(" = Configure(\"").Append(Sentence(random, 3)).Append("\");\n");
                    }
                    text.Append("```\n\n");
                }
                if (random.Next(5) == 0)
                {
                    text.Append("| Option | Default | Meaning |\n|---|---|---|\n");
                    for (var r = random.Next(2, 10); r > 0; r--)
                    {
                        text.Append("| ").Append(Words[random.Next(Words.Length)]).Append(" | ").Append(random.Next(100)).Append(" | ").Append(Sentence(random, 6)).Append(" |\n");
                    }
                    text.Append('\n');
                }
                if (random.Next(4) == 0)
                {
                    text.Append("### ").Append(Sentence(random, 2)).Append("\n\n- ").Append(Sentence(random, 8)).Append("\n- ").Append(Sentence(random, 8)).Append("\n\n");
                }
            }
            yield return ($"docs/section{i % 40}/page{i}.md", text.ToString());
        }
    }

    private static string Paragraph(Random random) =>
        string.Join(' ', Enumerable.Range(0, random.Next(2, 7)).Select(_ => Sentence(random, random.Next(8, 20)) + "."));

    private static string Sentence(Random random, int words)
    {
        var sentence = string.Join(' ', Enumerable.Range(0, words).Select(_ => Words[random.Next(Words.Length)]));
        return char.ToUpperInvariant(sentence[0]) + sentence[1..];
    }
}
