using static DocAIche.IntegrationTests.Support.Archives;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using DocAIche.IntegrationTests.Support;
using Npgsql;

namespace DocAIche.IntegrationTests;

/// <summary>Git repositories, a website and uploads become versioned, chunked documents, through the gateway.</summary>
[Collection(DocAIcheCollection.Name)]
public sealed class IngestionTests(DocAIcheFixture docaiche) : IAsyncLifetime
{
    private HttpClient Gateway => docaiche.Gateway;
    private GitHttpServer git = null!;
    private LoopbackWebsite site = null!;

    public async Task InitializeAsync()
    {
        git = await GitHttpServer.StartAsync();
        site = await LoopbackWebsite.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await git.DisposeAsync();
        await site.DisposeAsync();
    }

    private static string Intro(string word) => $"""
        # Getting started

        Install the {word} package first.

        ## Configure

        Set the options before the first request.

        ```csharp
        var options = new ClientOptions {"{"} Retries = 3 {"}"};
        ```

        ## Troubleshooting

        Read the logs.
        """;

    [Fact]
    public async Task A_git_repository_becomes_chunked_documents_and_the_same_commit_is_not_read_twice()
    {
        var word = GatewayClient.UniqueWord("gitword");
        var repository = await git.CreateRepositoryAsync(GatewayClient.UniqueWord("repo"));
        repository.Write("docs/intro.md", Intro(word));
        repository.Write("docs/guide/setup.rst", "Setup\n=====\n\nRun the installer.\n\n.. code-block:: bash\n\n   ./install.sh\n");
        repository.Write("README.md", "# Readme\n\nThe project overview.\n");
        repository.Write("CHANGELOG.md", "# Changelog\n\n## 1.0\n\nEverything.\n");
        repository.Write("src/Program.cs", "class Program {}");
        var commit = await repository.PublishAsync("docs");
        var library = await Gateway.CreateLibraryAsync(GatewayClient.UniqueWord("gitlib"), ["1.0"]);
        var source = await Gateway.CreateSourceAsync(library.Id, "1.0", new { kind = "git", git = new { url = repository.Url.ToString(), @ref = "main" } });

        var job = await Gateway.FinishedJobAsync((await Gateway.RefreshAsync(source.Id)).Id);

        Assert.Equal("succeeded", job.State);
        Assert.Equal(commit, job.Commit);
        Assert.Equal(3, job.DocumentsChanged);
        var documents = await Gateway.DocumentsAsync(library.Id, "1.0");
        Assert.Equal(["README.md", "docs/guide/setup.rst", "docs/intro.md"], documents.Select(d => d.Key).Order(StringComparer.Ordinal));
        var intro = documents.Single(d => d.Key == "docs/intro.md");
        Assert.Equal("Getting started", intro.Title);
        Assert.Equal($"{repository.Url.ToString()[..^4]}/blob/{commit}/docs/intro.md", intro.SourceUrl);
        var chunks = await Gateway.ChunksAsync(intro.Id);
        var configure = Assert.Single(chunks, c => c.Breadcrumb == "Getting started > Configure");
        Assert.Contains("csharp", configure.Languages);
        Assert.EndsWith("#configure", configure.Url, StringComparison.Ordinal);
        Assert.Contains("```csharp", configure.Content, StringComparison.Ordinal);

        var again = await Gateway.SucceededJobAsync((await Gateway.RefreshAsync(source.Id)).Id);
        Assert.Equal(0, again.DocumentsChanged);
        Assert.Contains("already", again.Note, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Changing_one_file_sends_exactly_one_document_update_downstream_and_a_vanished_file_is_removed()
    {
        var word = GatewayClient.UniqueWord("changed");
        var repository = await git.CreateRepositoryAsync(GatewayClient.UniqueWord("repo"));
        for (var i = 0; i < 5; i++)
        {
            repository.Write($"docs/page{i}.md", $"# Page {i}\n\nStable text of page {i}.\n");
        }
        await repository.PublishAsync("five pages");
        var library = await Gateway.CreateLibraryAsync(GatewayClient.UniqueWord("inclib"), ["2"]);
        var source = await Gateway.CreateSourceAsync(library.Id, "2", new { kind = "git", git = new { url = repository.Url.ToString() } });
        Assert.Equal(5, (await Gateway.SucceededJobAsync((await Gateway.RefreshAsync(source.Id)).Id)).DocumentsChanged);
        var before = DateTimeOffset.UtcNow;

        repository.Write("docs/page1.md", $"# Page 1\n\nNew text about the {word}.\n");
        repository.Delete("docs/page4.md");
        await repository.PublishAsync("one change, one removal");
        var job = await Gateway.FinishedJobAsync((await Gateway.RefreshAsync(source.Id)).Id);

        Assert.Equal("succeeded", job.State);
        Assert.Equal(1, job.DocumentsChanged);
        Assert.Equal(1, job.DocumentsRemoved);
        Assert.Equal(3, job.Skipped);
        var events = await EventsSinceAsync(library.Id, before);
        Assert.Equal(1, events.GetValueOrDefault("DocumentChanged"));
        Assert.Equal(1, events.GetValueOrDefault("DocumentRemoved"));
        var found = await Eventually.Async(() => Gateway.SearchAsync(word), r => r.Results.Count > 0, TimeSpan.FromSeconds(60), "the new text in search");
        Assert.Equal("Page 1", Assert.Single(found.Results).Title);
        Assert.Equal(["docs/page0.md", "docs/page1.md", "docs/page2.md", "docs/page3.md"],
            (await Gateway.DocumentsAsync(library.Id, "2")).Select(d => d.Key).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_repository_on_a_refused_address_is_refused_before_anything_is_fetched()
    {
        // 127.0.0.2 is loopback but not on the test allowlist (127.0.0.1/32); nothing listens there.
        var library = await Gateway.CreateLibraryAsync(GatewayClient.UniqueWord("refused"), ["1"]);

        using var literal = await Gateway.PostAsJsonAsync($"/api/v1/libraries/{library.Id}/versions/1/sources",
            new { kind = "git", git = new { url = $"http://127.0.0.2:{git.Address.Port}/x.git" } });

        Assert.Equal(HttpStatusCode.BadRequest, literal.StatusCode);
        Assert.Contains("loopback", await literal.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_website_is_crawled_within_robots_txt_its_sitemap_scope_and_excludes_and_a_redirect_to_a_refused_address_is_refused()
    {
        var word = GatewayClient.UniqueWord("crawled");
        var root = site.Address.ToString().TrimEnd('/');
        site.Set("/robots.txt", new WebPage($"User-agent: *\nDisallow: /docs/private/\nSitemap: {root}/sitemap.xml\n", "text/plain"));
        site.Set("/sitemap.xml", new WebPage(
            $"""<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>{root}/docs/orphan.html</loc></url></urlset>""",
            "application/xml"));
        site.Set("/docs/index.html", new WebPage($"""
            <html><head><title>Docs home</title></head><body>
            <nav><a href="/docs/guide.html">Guide</a> <a href="/docs/private/secret.html">Secret</a> <a href="/docs/fr/guide.html">Français</a>
            <a href="/docs/changelog.html">Changelog</a> <a href="/docs/moved.html">Moved</a> <a href="/outside.html">Outside</a></nav>
            <main><h1>Docs home</h1><p>Welcome to the {word} documentation.</p></main>
            <footer>Copyright footer text</footer></body></html>
            """));
        site.Set("/docs/guide.html", new WebPage("""
            <html><head><title>Guide</title><link rel="canonical" href="/docs/guide.html"></head><body>
            <header>Site header menu</header><nav>Navigation links</nav>
            <article><h1>Guide</h1><h2>Install</h2><p>Run it.</p><pre><code class="language-bash">./run.sh</code></pre></article>
            <footer>Footer links</footer></body></html>
            """));
        site.Set("/docs/orphan.html", new WebPage("<html><head><title>Orphan</title></head><body><main><h1>Orphan</h1><p>Only in the sitemap.</p></main></body></html>"));
        site.Set("/docs/private/secret.html", new WebPage("<html><body><main><p>Robots say no.</p></main></body></html>"));
        site.Set("/docs/fr/guide.html", new WebPage("<html><body><main><p>Guide en français.</p></main></body></html>"));
        site.Set("/docs/changelog.html", new WebPage("<html><body><main><p>Changes.</p></main></body></html>"));
        site.Set("/outside.html", new WebPage("<html><body><main><p>Outside the prefix.</p></main></body></html>"));
        site.Set("/docs/moved.html", new WebPage("", RedirectTo: $"http://127.0.0.2:{site.Address.Port}/docs/evil.html"));

        var library = await Gateway.CreateLibraryAsync(GatewayClient.UniqueWord("site"), ["latest"]);
        var source = await Gateway.CreateSourceAsync(library.Id, "latest", new
        {
            kind = "website",
            website = new { startUrls = new[] { $"{root}/docs/index.html" }, delayMilliseconds = 0, concurrency = 2 },
        });
        var job = await Gateway.FinishedJobAsync((await Gateway.RefreshAsync(source.Id)).Id);

        Assert.Equal("succeeded", job.State);
        var documents = await Gateway.DocumentsAsync(library.Id, "latest");
        Assert.Equal([$"{root}/docs/guide.html", $"{root}/docs/index.html", $"{root}/docs/orphan.html"],
            documents.Select(d => d.Key).Order(StringComparer.Ordinal));
        Assert.Equal(0, site.RequestsFor("/docs/private/secret.html"));
        Assert.Equal(0, site.RequestsFor("/docs/fr/guide.html"));
        Assert.Equal(0, site.RequestsFor("/docs/changelog.html"));
        Assert.Equal(0, site.RequestsFor("/outside.html"));
        var refused = Assert.Single(await Gateway.JobErrorsAsync(job.Id));
        Assert.Equal($"{root}/docs/moved.html", refused.Key);
        Assert.Contains("127.0.0.2", refused.Error, StringComparison.Ordinal);
        Assert.StartsWith("Refused", refused.Error, StringComparison.Ordinal);

        using var guide = JsonDocument.Parse(await Gateway.GetStringAsync($"/api/v1/documents/{documents.Single(d => d.Title == "Guide").Id}"));
        var markdown = guide.RootElement.GetProperty("content").GetString()!;
        Assert.Contains("## Install", markdown, StringComparison.Ordinal);
        Assert.Contains("```bash", markdown, StringComparison.Ordinal);
        Assert.DoesNotContain("Site header menu", markdown, StringComparison.Ordinal);
        Assert.DoesNotContain("Footer links", markdown, StringComparison.Ordinal);
        Assert.DoesNotContain("Navigation links", markdown, StringComparison.Ordinal);

        // Stored pages carry their validators: the next crawl asks conditionally and changes nothing.
        var again = await Gateway.SucceededJobAsync((await Gateway.RefreshAsync(source.Id)).Id);
        Assert.Equal(0, again.DocumentsChanged);
        Assert.Equal(0, again.DocumentsRemoved);
        Assert.Equal(2, site.RequestsFor("/docs/guide.html"));
        Assert.Equal(4, again.Skipped); // three pages not modified, one disallowed by robots.txt
    }

    [Fact]
    public async Task A_zip_with_a_traversal_entry_is_refused_and_changes_nothing()
    {
        var library = await Gateway.CreateLibraryAsync(GatewayClient.UniqueWord("zipbad"), ["1"]);
        var source = await Gateway.CreateSourceAsync(library.Id, "1", new { kind = "upload" });

        using var response = await UploadAsync(source.Id, "docs.zip", Zip(("docs/good.md", "# Good\n\nFine."), ("../../etc/evil.md", "# Evil")));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("evil.md", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var jobs = await Gateway.GetFromJsonAsync<Page<Job>>($"/api/v1/jobs?sourceId={source.Id}", GatewayClient.Json);
        Assert.Empty(jobs!.Items);
        Assert.Empty(await Gateway.DocumentsAsync(library.Id, "1"));
    }

    [Fact]
    public async Task A_good_zip_becomes_documents_and_the_next_archive_replaces_them()
    {
        var library = await Gateway.CreateLibraryAsync(GatewayClient.UniqueWord("zipgood"), ["1"]);
        var source = await Gateway.CreateSourceAsync(library.Id, "1", new { kind = "upload" });

        using var first = await UploadAsync(source.Id, "docs.zip", Zip(
            ("docs/a.md", "# Alpha\n\nFirst page."),
            ("docs/b.rst", "Beta\n====\n\nSecond page."),
            ("notes.txt", "Plain notes."),
            ("docs/page.html", "<html><body><main><h1>Gamma</h1><p>Third.</p></main></body></html>"),
            ("images/logo.png", "not a document")));
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        var job = await Gateway.FinishedJobAsync((await first.Content.ReadFromJsonAsync<Job>(GatewayClient.Json))!.Id);
        Assert.Equal("succeeded", job.State);
        Assert.Equal(4, job.DocumentsChanged);
        Assert.Equal(["Alpha", "Beta", "Gamma", "notes"], (await Gateway.DocumentsAsync(library.Id, "1")).Select(d => d.Title).Order(StringComparer.Ordinal));

        using var second = await UploadAsync(source.Id, "docs.zip", Zip(("docs/a.md", "# Alpha\n\nFirst page.")));
        var replaced = await Gateway.FinishedJobAsync((await second.Content.ReadFromJsonAsync<Job>(GatewayClient.Json))!.Id);
        Assert.Equal(0, replaced.DocumentsChanged);
        Assert.Equal(3, replaced.DocumentsRemoved);
        Assert.Equal(["docs/a.md"], (await Gateway.DocumentsAsync(library.Id, "1")).Select(d => d.Key));
    }

    [Fact]
    public async Task Versions_never_mix()
    {
        var word = GatewayClient.UniqueWord("versioned");
        var library = await Gateway.CreateLibraryAsync(GatewayClient.UniqueWord("vers"), ["1.0", "2.0"]);
        var old = await Gateway.CreateSourceAsync(library.Id, "1.0", new { kind = "upload" });
        var current = await Gateway.CreateSourceAsync(library.Id, "2.0", new { kind = "upload" });

        await Gateway.StoreDocumentAsync(old.Id, "api.md", $"# API\n\nThe {word} method takes two arguments.");
        await Gateway.StoreDocumentAsync(current.Id, "api.md", $"# API\n\nThe {word} method takes three arguments.");

        var v1 = Assert.Single(await Gateway.DocumentsAsync(library.Id, "1.0"));
        var v2 = Assert.Single(await Gateway.DocumentsAsync(library.Id, "2.0"));
        Assert.NotEqual(v1.Id, v2.Id);
        var onlyV2 = await Eventually.Async(
            () => Gateway.GetFromJsonAsync<SearchResponse>($"/api/v1/search?q={word}&library={library.Name}&version=2.0", GatewayClient.Json)!,
            r => r!.Results.Count > 0, TimeSpan.FromSeconds(60), "version 2.0 in search");
        var hit = Assert.Single(onlyV2!.Results);
        Assert.Equal("2.0", hit.Version);
        Assert.Contains("three", hit.Snippet, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_cancelled_job_applies_nothing()
    {
        var root = site.Address.ToString().TrimEnd('/');
        var links = string.Join("", Enumerable.Range(0, 20).Select(i => $"<a href=\"/slow/p{i}.html\">{i}</a>"));
        site.Set("/slow/index.html", new WebPage($"<html><body><main><h1>Slow</h1>{links}</main></body></html>"));
        for (var i = 0; i < 20; i++)
        {
            site.Set($"/slow/p{i}.html", new WebPage($"<html><body><main><h1>Page {i}</h1><p>Text.</p></main></body></html>"));
        }
        var library = await Gateway.CreateLibraryAsync(GatewayClient.UniqueWord("cancel"), ["1"]);
        var source = await Gateway.CreateSourceAsync(library.Id, "1", new
        {
            kind = "website",
            website = new { startUrls = new[] { $"{root}/slow/index.html" }, delayMilliseconds = 1000, concurrency = 1 },
        });
        var job = await Gateway.RefreshAsync(source.Id);
        await Eventually.Async(() => Gateway.JobAsync(job.Id), j => j.Fetched >= 2, TimeSpan.FromSeconds(60), "the crawl to be under way");

        using var cancel = await Gateway.PostAsync($"/api/v1/jobs/{job.Id}/cancel", null);
        var ended = await Gateway.FinishedJobAsync(job.Id);

        Assert.True(cancel.IsSuccessStatusCode);
        Assert.Equal("cancelled", ended.State);
        Assert.Empty(await Gateway.DocumentsAsync(library.Id, "1"));
    }

    [Fact]
    public async Task A_job_interrupted_by_a_restart_runs_again_and_applies_everything_once()
    {
        var root = site.Address.ToString().TrimEnd('/');
        var links = string.Join("", Enumerable.Range(0, 8).Select(i => $"<a href=\"/restart/p{i}.html\">{i}</a>"));
        site.Set("/restart/index.html", new WebPage($"<html><body><main><h1>Restart</h1>{links}</main></body></html>"));
        for (var i = 0; i < 8; i++)
        {
            site.Set($"/restart/p{i}.html", new WebPage($"<html><body><main><h1>Page {i}</h1><p>Text {i}.</p></main></body></html>"));
        }
        var library = await Gateway.CreateLibraryAsync(GatewayClient.UniqueWord("restart"), ["1"]);
        var source = await Gateway.CreateSourceAsync(library.Id, "1", new
        {
            kind = "website",
            website = new { startUrls = new[] { $"{root}/restart/index.html" }, delayMilliseconds = 700, concurrency = 1 },
        });
        var job = await Gateway.RefreshAsync(source.Id);
        await Eventually.Async(() => Gateway.JobAsync(job.Id), j => j.Fetched >= 2, TimeSpan.FromSeconds(60), "the crawl to be under way");

        using (var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2)))
        {
            await docaiche.App.ResourceCommands.ExecuteCommandAsync("documents", KnownResourceCommands.StopCommand, timeout.Token);
            await docaiche.App.ResourceCommands.ExecuteCommandAsync("documents", KnownResourceCommands.StartCommand, timeout.Token);
            await docaiche.App.ResourceNotifications.WaitForResourceHealthyAsync("documents", timeout.Token);
        }
        var ended = await Gateway.FinishedJobAsync(job.Id);

        Assert.Equal("succeeded", ended.State);
        Assert.Equal(9, ended.DocumentsChanged);
        Assert.Equal(9, (await Gateway.DocumentsAsync(library.Id, "1")).Count);
    }

    [Fact]
    public async Task A_retry_reads_only_the_failed_items_and_removes_nothing()
    {
        var root = site.Address.ToString().TrimEnd('/');
        site.Set("/retry/index.html", new WebPage("""<html><body><main><h1>Index</h1><a href="/retry/flaky.html">Flaky</a></main></body></html>"""));
        site.Set("/retry/flaky.html", new WebPage("busy", "text/plain", Status: 503));
        var library = await Gateway.CreateLibraryAsync(GatewayClient.UniqueWord("retry"), ["1"]);
        var source = await Gateway.CreateSourceAsync(library.Id, "1", new
        {
            kind = "website",
            website = new { startUrls = new[] { $"{root}/retry/index.html" }, delayMilliseconds = 0 },
        });
        var first = await Gateway.SucceededJobAsync((await Gateway.RefreshAsync(source.Id)).Id);
        var failure = Assert.Single(await Gateway.JobErrorsAsync(first.Id));
        Assert.Equal($"{root}/retry/flaky.html", failure.Key);
        Assert.Contains("503", failure.Error, StringComparison.Ordinal);

        site.Set("/retry/flaky.html", new WebPage("<html><body><main><h1>Flaky</h1><p>Back.</p></main></body></html>"));
        using var retried = await Gateway.PostAsync($"/api/v1/jobs/{first.Id}/retry", null);
        Assert.Equal(HttpStatusCode.Accepted, retried.StatusCode);
        var retry = await Gateway.SucceededJobAsync((await retried.Content.ReadFromJsonAsync<Job>(GatewayClient.Json))!.Id);

        Assert.Equal(1, retry.DocumentsChanged);
        Assert.Equal(0, retry.DocumentsRemoved);
        Assert.Equal(1, site.RequestsFor("/retry/index.html"));
        Assert.Equal(["Flaky", "Index"], (await Gateway.DocumentsAsync(library.Id, "1")).Select(d => d.Title).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_shared_library_is_readable_by_every_tenant_and_changed_only_by_its_own()
    {
        var word = GatewayClient.UniqueWord("sharedword");
        var shared = await Gateway.CreateLibraryAsync(GatewayClient.UniqueWord("shared"), ["1"], shared: true);
        var sharedSource = await Gateway.CreateSourceAsync(shared.Id, "1", new { kind = "upload" });
        var sharedDocument = await Gateway.StoreDocumentAsync(sharedSource.Id, "public.md", $"# Public\n\nThe {word} is for everyone.");
        var secret = await Gateway.CreateLibraryAsync(GatewayClient.UniqueWord("private"), ["1"]);
        var secretSource = await Gateway.CreateSourceAsync(secret.Id, "1", new { kind = "upload" });
        var secretDocument = await Gateway.StoreDocumentAsync(secretSource.Id, "secret.md", $"# Secret\n\nThe {word} stays at home.");
        await Eventually.Async(() => Gateway.SearchAsync(word), r => r.Results.Count == 2, TimeSpan.FromSeconds(60), "both documents in search");

        using var other = docaiche.CreateClient(await docaiche.NewTenantOwnerTokenAsync());

        var libraries = (await other.GetFromJsonAsync<Page<Library>>("/api/v1/libraries?limit=200", GatewayClient.Json))!.Items;
        Assert.Contains(libraries, l => l.Id == shared.Id && !l.Owned);
        Assert.DoesNotContain(libraries, l => l.Id == secret.Id);
        using var readShared = await other.GetAsync($"/api/v1/documents/{sharedDocument.Id}");
        using var readSecret = await other.GetAsync($"/api/v1/documents/{secretDocument.Id}");
        Assert.Equal(HttpStatusCode.OK, readShared.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, readSecret.StatusCode);
        var found = await other.SearchAsync(word);
        Assert.Equal([sharedDocument.Id], found.Results.Select(r => r.DocumentId));

        using var change = await other.PatchAsJsonAsync($"/api/v1/libraries/{shared.Id}", new { description = "taken over" });
        using var addSource = await other.PostAsJsonAsync($"/api/v1/libraries/{shared.Id}/versions/1/sources", new { kind = "upload" });
        using var storeInto = await other.PostAsJsonAsync($"/api/v1/sources/{sharedSource.Id}/documents", new { path = "x.md", content = "# X" });
        using var refresh = await other.PostAsync($"/api/v1/sources/{secretSource.Id}/refresh", null);
        Assert.Equal(HttpStatusCode.NotFound, change.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, addSource.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, storeInto.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, refresh.StatusCode);
        Assert.Empty((await other.GetFromJsonAsync<Page<Source>>("/api/v1/sources", GatewayClient.Json))!.Items);
    }

    [Fact]
    public async Task Bad_source_settings_get_a_problem_and_create_nothing()
    {
        var library = await Gateway.CreateLibraryAsync(GatewayClient.UniqueWord("badsrc"), ["1"]);

        using var scheme = await Gateway.PostAsJsonAsync($"/api/v1/libraries/{library.Id}/versions/1/sources", new { kind = "git", git = new { url = "file:///etc" } });
        using var credentials = await Gateway.PostAsJsonAsync($"/api/v1/libraries/{library.Id}/versions/1/sources",
            new { kind = "git", git = new { url = "https://user:secret@git.example.test/repo.git" } });
        using var badRef = await Gateway.PostAsJsonAsync($"/api/v1/libraries/{library.Id}/versions/1/sources",
            new { kind = "git", git = new { url = "https://git.example.test/repo.git", @ref = "--upload-pack=evil" } });
        using var cron = await Gateway.PostAsJsonAsync($"/api/v1/libraries/{library.Id}/versions/1/sources", new { kind = "upload", schedule = "every day" });

        foreach (var response in new[] { scheme, credentials, badRef, cron })
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        }
        var sources = await Gateway.GetFromJsonAsync<Page<Source>>($"/api/v1/sources?libraryId={library.Id}", GatewayClient.Json);
        Assert.Empty(sources!.Items);
    }

    [Fact]
    public async Task A_git_token_is_never_returned()
    {
        var library = await Gateway.CreateLibraryAsync(GatewayClient.UniqueWord("token"), ["1"]);
        const string token = "ghp_thisIsATestTokenValue0123456789";
        using var created = await Gateway.PostAsJsonAsync($"/api/v1/libraries/{library.Id}/versions/1/sources",
            new { kind = "git", git = new { url = "https://git.example.test/private.git", token } });
        var body = await created.Content.ReadAsStringAsync();
        var id = JsonDocument.Parse(body).RootElement.GetProperty("id").GetGuid();
        var read = await Gateway.GetStringAsync($"/api/v1/sources/{id}");

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.DoesNotContain(token, body, StringComparison.Ordinal);
        Assert.DoesNotContain(token, read, StringComparison.Ordinal);
        Assert.True(JsonDocument.Parse(read).RootElement.GetProperty("git").GetProperty("hasToken").GetBoolean());
    }

    private Task<HttpResponseMessage> UploadAsync(Guid sourceId, string fileName, byte[] content) => Gateway.UploadZipAsync(sourceId, content, fileName);

    /// <summary>Events the documents service published about a library since a moment, by type, read from its outbox.</summary>
    private async Task<Dictionary<string, int>> EventsSinceAsync(Guid libraryId, DateTimeOffset since)
    {
        var connectionString = await docaiche.App.GetConnectionStringAsync("documentsdb");
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""
            SELECT split_part(split_part("MessageType", ',', 1), '.', -1) AS type, count(*)
            FROM outbox_messages
            WHERE "CreatedAt" >= @since AND "Body" LIKE '%' || @library || '%'
            GROUP BY 1
            """, connection);
        command.Parameters.AddWithValue("since", since);
        command.Parameters.AddWithValue("library", libraryId.ToString());
        var counts = new Dictionary<string, int>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            counts[reader.GetString(0)] = (int)reader.GetInt64(1);
        }
        return counts;
    }
}
