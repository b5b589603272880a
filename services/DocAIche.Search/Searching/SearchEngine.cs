using System.Diagnostics;
using DocAIche.Search.Embeddings;
using DocAIche.Search.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace DocAIche.Search.Searching;

/// <summary>
/// Hybrid search: full text (PostgreSQL <c>tsvector</c>, GIN) and meaning (pgvector HNSW) each rank
/// their best chunks within the caller's scope, reciprocal rank fusion merges the two lists, and each
/// page keeps its best chunk. When the embedding model cannot answer, full text alone answers and
/// the response says so.
/// </summary>
public sealed partial class SearchEngine(
    SearchDbContext db, IServiceScopeFactory scopes, EmbeddingModel embeddings, SearchTimings timings, IOptions<SearchOptions> options, ILogger<SearchEngine> logger)
{
    private static readonly ActivitySource Source = new("DocAIche.Search");

    private readonly SearchOptions _options = options.Value;

    /// <summary>Searches <paramref name="searched"/> (resolved by <see cref="SearchScope.Resolve"/>) for the query.</summary>
    public async Task<SearchResponse> SearchAsync(string tenant, SearchScope searched, SearchQuery query, CancellationToken cancellationToken)
    {
        using var activity = Source.StartActivity("search");
        var scope = searched.Targets;

        var methods = new List<string> { "fulltext" };
        IReadOnlyList<RankedCandidate> fullText = [];
        IReadOnlyList<RankedCandidate> vectors = [];
        if (scope.Count > 0)
        {
            var libraryIds = scope.Select(s => s.Library.LibraryId).Distinct().ToArray();
            var keys = ScopeKeys.Of(scope);
            // The model embeds the query on the thread pool while the database ranks full text; the vector
            // search starts as soon as the query's vector is there, on a connection of its own, so the two
            // rankings run side by side.
            var libraryNames = string.Join(" ", scope.Select(s => s.Library.Name).Distinct().SelectMany(LibraryNames.Forms));
            var byMeaning = NearestAsync(tenant, timings.TimeAsync("embed", EmbedQueryAsync(query.Text, cancellationToken)), libraryIds, keys, cancellationToken);
            fullText = await timings.TimeAsync("fulltext", FullTextAsync(tenant, query.Text, libraryIds, keys, libraryNames, cancellationToken));
            if (await byMeaning is { } nearest)
            {
                methods.Add("semantic");
                vectors = nearest;
            }
        }

        // Each ranking brings what fusion needs of its chunks: no round trip between ranking and fusing.
        var candidates = fullText.Concat(vectors).DistinctBy(c => c.ChunkId).ToDictionary(c => c.ChunkId, c => c.ToCandidate());
        var ranked = Fusion.Rank([.. fullText.Select(c => c.ToRanked())], [.. vectors.Select(c => c.ToRanked())], candidates, _options);

        var page = ranked.Skip(query.Offset).Take(query.Limit).ToList();
        var texts = await timings.TimeAsync("texts", TextsAsync(query.Text, [.. page.Select(p => p.Chunk.ChunkId)], cancellationToken));
        var names = scope.Select(s => s.Library).DistinctBy(l => l.LibraryId).ToDictionary(l => l.LibraryId, l => l.Name);

        var results = new List<SearchResult>(page.Count);
        var budget = query.MaxTokens ?? int.MaxValue;
        var used = 0;
        foreach (var item in page)
        {
            if (!texts.TryGetValue(item.Chunk.ChunkId, out var text))
            {
                continue;
            }
            var content = text.Content;
            var tokens = Tokens.Estimate(content);
            var truncated = false;
            if (used + tokens > budget)
            {
                if (results.Count > 0)
                {
                    break; // the budget is spent: the rest is on the next page
                }
                content = Tokens.Cut(content, budget);
                tokens = Tokens.Estimate(content);
                truncated = true;
            }
            used += tokens;
            var chunk = item.Chunk;
            results.Add(new SearchResult(
                chunk.DocumentId, chunk.ChunkId, chunk.LibraryId, names.GetValueOrDefault(chunk.LibraryId, ""), chunk.Version, chunk.Title,
                chunk.Breadcrumb, chunk.Url, text.Snippet, content, Math.Round(item.Score, 6), tokens, truncated));
        }

        var next = query.Offset + results.Count;
        var cursor = results.Count > 0 && next < ranked.Count ? SearchCursor.Encode(next) : null;
        activity?.SetTag("docaiche.search.results", results.Count);
        return new SearchResponse(query.Text, searched.Library?.Name, searched.Version, methods, results, used, cursor);
    }

    private async Task<float[]?> EmbedQueryAsync(string text, CancellationToken cancellationToken)
    {
        try
        {
            return await embeddings.EmbedQueryAsync(text, cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            LogEmbeddingFailed(logger, exception);
            return null;
        }
    }

    /// <summary>Words that join what a query compares ("useMemo vs useCallback") and say nothing themselves.</summary>
    private static readonly string[] Connectives = ["vs", "versus"];

    /// <summary><c>ts_rank</c>'s weights, in its order D, C, B, A: text (C) 0.2, headings (B) 0.5, page title (A) 1.</summary>
    private static readonly float[] RankWeights = [0.1f, 0.2f, 0.5f, 1.0f];

    /// <summary>
    /// Chunks matching the query's words, each scored by the sum over the query's words of the word's
    /// inverse document frequency in the chunk's own library (<see cref="TermStatistics"/>; so scores
    /// compare across libraries) times how strongly the chunk holds it (<c>ts_rank</c>: the page title
    /// counts most, then headings, then text; repeats count less and less). Rare, decisive words and
    /// chunks holding more of the query win; words that name the searched library, and "vs", count for
    /// nothing (unless they are all the query has). At most <see cref="SearchOptions.FullTextMatchLimit"/>
    /// matches are ranked (ranking a common word's every match is what made latency explode): first
    /// chunks holding every word, then chunks the rarest words bring, as many words as keep their
    /// matches within that limit (a word in a large share of the library never picks). A query of
    /// nothing but very common words is answered from a sample of their matches
    /// (<see cref="SearchOptions.FullTextSampleSize"/>). A query with operators ("phrase", OR, -word)
    /// matches as written. One statement, one round trip, which also brings what fusion needs of each
    /// ranked chunk.
    /// </summary>
    private async Task<IReadOnlyList<RankedCandidate>> FullTextAsync(string tenant, string text, Guid[] libraryIds, ScopeKeys keys, string libraryNames, CancellationToken cancellationToken)
    {
        var exact = QueryText.HasOperators(text);
        return await db.Database.SqlQuery<RankedCandidate>($"""
            WITH words AS (
                SELECT t AS lexeme,
                       coalesce((SELECT sum(s."Chunks") FROM indexed_terms AS s WHERE s."LibraryId" = ANY({libraryIds}) AND s."Lexeme" = t), 0) AS chunks,
                       (t = ANY(tsvector_to_array(to_tsvector('english', {libraryNames}))) OR t = ANY({Connectives})) AS ignored
                FROM unnest(tsvector_to_array(to_tsvector('english', {text}))) AS t
                WHERE strpos(t, E'\\') = 0
            ),
            meaningful AS (
                SELECT lexeme, chunks FROM words WHERE NOT ignored OR NOT EXISTS (SELECT 1 FROM words WHERE NOT ignored)
            ),
            ordered AS (
                SELECT lexeme, chunks, sum(chunks) OVER (ORDER BY chunks, lexeme) AS running, row_number() OVER (ORDER BY chunks, lexeme) AS n
                FROM meaningful
            ),
            total AS (
                SELECT coalesce(sum(l."TermsChunks"), 0) AS chunks FROM indexed_libraries AS l WHERE l."LibraryId" = ANY({libraryIds})
            ),
            q AS (
                SELECT CASE WHEN {exact} THEN websearch_to_tsquery('english', {text})
                            ELSE (SELECT string_agg(quote_literal(o.lexeme), ' | ')::tsquery FROM ordered AS o, total
                                  WHERE o.n = 1 OR (o.running <= {_options.FullTextMatchLimit}
                                        AND NOT (total.chunks >= {_options.CommonTermMinimumChunks} AND o.chunks > total.chunks * {_options.CommonTermShare}))) END AS picking,
                       CASE WHEN {exact} THEN websearch_to_tsquery('english', {text})
                            ELSE (SELECT string_agg(quote_literal(lexeme), ' & ')::tsquery FROM meaningful) END AS every
            ),
            -- Matches in order of promise, at most FullTextMatchLimit: chunks holding every word first, then
            -- those the picking words bring. Only ids are read here; each kept match's vector is read (and
            -- decompressed) once below. The picking words' matches hold every all-words match, so once those
            -- are taken they are skipped by id, never by testing each vector again.
            all_words AS (
                SELECT c."ChunkId" FROM indexed_chunks AS c, q
                WHERE c."LibraryId" = ANY({libraryIds}) AND c."Version" = ANY({keys.Versions})
                  AND ({keys.Pairs}::text[] IS NULL OR (c."LibraryId"::text || '/' || c."Version") = ANY({keys.Pairs}))
                  AND c."SearchVector" @@ q.every
                LIMIT {_options.FullTextMatchLimit}
            ),
            some_words AS (
                SELECT c."ChunkId" FROM indexed_chunks AS c, q
                WHERE c."LibraryId" = ANY({libraryIds}) AND c."Version" = ANY({keys.Versions})
                  AND ({keys.Pairs}::text[] IS NULL OR (c."LibraryId"::text || '/' || c."Version") = ANY({keys.Pairs}))
                  AND c."SearchVector" @@ q.picking
                  AND c."ChunkId" NOT IN (SELECT "ChunkId" FROM all_words)
                LIMIT (SELECT greatest({_options.FullTextMatchLimit} - count(*), 0) FROM all_words)
            ),
            matched AS (
                SELECT c."ChunkId", c."LibraryId", c."SearchVector" || ''::tsvector AS "SearchVector"
                FROM indexed_chunks AS c
                WHERE c."ChunkId" IN (SELECT "ChunkId" FROM all_words UNION ALL SELECT "ChunkId" FROM some_words)
            ),
            weights AS MATERIALIZED (
                SELECT l."LibraryId", quote_literal(m.lexeme)::tsquery AS query,
                       CASE WHEN l."TermsChunks" > 0
                            THEN ln(1 + greatest(l."TermsChunks" - coalesce(s."Chunks", 0), 0) / (coalesce(s."Chunks", 0) + 0.5))
                            ELSE 1 END AS idf
                FROM indexed_libraries AS l
                CROSS JOIN meaningful AS m
                LEFT JOIN indexed_terms AS s ON s."LibraryId" = l."LibraryId" AND s."Lexeme" = m.lexeme
                WHERE l."LibraryId" = ANY({libraryIds})
            ),
            scored AS (
                SELECT m."ChunkId",
                       (SELECT sum(w.idf * ts_rank({RankWeights}::float4[], m."SearchVector", w.query)) FROM weights AS w WHERE w."LibraryId" = m."LibraryId") AS score
                FROM matched AS m
            ),
            ranked AS (
                SELECT "ChunkId", (row_number() OVER (ORDER BY score DESC, "ChunkId"))::int AS "Rank"
                FROM scored
                ORDER BY "Rank"
                LIMIT {_options.Candidates}
            )
            -- What fusion needs of each, with its page's feedback in this tenant (as the vector search reads it).
            SELECT r."ChunkId", r."Rank", c."DocumentId", c."LibraryId", c."Version", c."Title", c."Breadcrumb", c."Url", coalesce(f.net, 0)::float8 AS "Feedback"
            FROM ranked AS r
            JOIN indexed_chunks AS c ON c."ChunkId" = r."ChunkId"
            LEFT JOIN LATERAL (
                SELECT sum(s."Weight") AS net
                FROM search_feedback AS s WHERE s."TenantId" = {tenant} AND s."DocumentId" = c."DocumentId"
            ) AS f ON true
            ORDER BY r."Rank"
            """).ToListAsync(cancellationToken);
    }

    /// <summary>The nearest chunks to the query's vector once it is there, on a database connection of their own; null without a vector.</summary>
    private async Task<IReadOnlyList<RankedCandidate>?> NearestAsync(string tenant, Task<float[]?> embedding, Guid[] libraryIds, ScopeKeys keys, CancellationToken cancellationToken)
    {
        if (await embedding is not { } vector)
        {
            return null;
        }
        await using var own = scopes.CreateAsyncScope();
        return await timings.TimeAsync("vector", VectorAsync(own.ServiceProvider.GetRequiredService<SearchDbContext>(), tenant, vector, libraryIds, keys, cancellationToken));
    }

    /// <summary>
    /// The nearest chunks by cosine distance, through the HNSW index (iterative scans keep filtered lists
    /// full), of those at least <see cref="SearchOptions.MinimumVectorSimilarity"/> alike. The floor is
    /// applied after the index scan, so a query nothing answers costs no longer scan.
    /// </summary>
    private async Task<IReadOnlyList<RankedCandidate>> VectorAsync(SearchDbContext context, string tenant, float[] vector, Guid[] libraryIds, ScopeKeys keys, CancellationToken cancellationToken)
    {
        var model = embeddings.Id;
        return await context.Database.SqlQuery<RankedCandidate>($"""
            SELECT n."ChunkId", (row_number() OVER (ORDER BY n.distance, n."ChunkId"))::int AS "Rank",
                   n."DocumentId", n."LibraryId", n."Version", n."Title", n."Breadcrumb", n."Url", coalesce(f.net, 0)::float8 AS "Feedback"
            FROM (
                SELECT c."ChunkId", c."DocumentId", c."LibraryId", c."Version", c."Title", c."Breadcrumb", c."Url",
                       c."Embedding" <=> {vector}::real[]::vector AS distance
                FROM indexed_chunks AS c
                WHERE c."LibraryId" = ANY({libraryIds}) AND c."Version" = ANY({keys.Versions})
                   AND ({keys.Pairs}::text[] IS NULL OR (c."LibraryId"::text || '/' || c."Version") = ANY({keys.Pairs}))
                  AND c."EmbeddingModel" = {model}
                ORDER BY c."Embedding" <=> {vector}::real[]::vector
                LIMIT {_options.Candidates}
            ) AS n
            LEFT JOIN LATERAL (
                SELECT sum(s."Weight") AS net
                FROM search_feedback AS s WHERE s."TenantId" = {tenant} AND s."DocumentId" = n."DocumentId"
            ) AS f ON true
            WHERE n.distance <= {1.0 - _options.MinimumVectorSimilarity}
            ORDER BY "Rank"
            """).ToListAsync(cancellationToken);
    }

    /// <summary>A chunk one ranking placed at <paramref name="Rank"/>, with what fusion needs of it.</summary>
    private sealed record RankedCandidate(Guid ChunkId, int Rank, Guid DocumentId, Guid LibraryId, string Version, string Title, string Breadcrumb, string? Url, double Feedback)
    {
        // Methods, not properties: EF reads every property of a row type from a column.
        public RankedChunk ToRanked() => new(ChunkId, Rank);

        public CandidateChunk ToCandidate() => new(ChunkId, DocumentId, LibraryId, Version, Title, Breadcrumb, Url, Feedback);
    }

    private sealed record ChunkText(Guid ChunkId, string Content, string Snippet);

    /// <summary>The text and marked snippet of the chunks on the page (headlines are costly: only for these).</summary>
    private async Task<Dictionary<Guid, ChunkText>> TextsAsync(string text, Guid[] chunkIds, CancellationToken cancellationToken)
    {
        if (chunkIds.Length == 0)
        {
            return [];
        }
        var exact = QueryText.HasOperators(text);
        var options = Snippets.HeadlineOptions;
        var rows = await db.Database.SqlQuery<ChunkText>($"""
            WITH q AS (
                SELECT CASE WHEN {exact} THEN websearch_to_tsquery('english', {text})
                            ELSE replace(plainto_tsquery('english', {text})::text, ' & ', ' | ')::tsquery END AS loose
            )
            SELECT c."ChunkId", c."Content",
                   ts_headline('english', c."Content", q.loose, {options}) AS "Snippet"
            FROM indexed_chunks AS c, q
            WHERE c."ChunkId" = ANY({chunkIds})
            """).ToListAsync(cancellationToken);
        return rows.ToDictionary(r => r.ChunkId, r => r with { Snippet = Snippets.ToHtml(r.Snippet) });
    }

    /// <summary>
    /// The library versions a search covers, as plain column filters (library ids and versions) that
    /// the planner estimates well: with a filter on a computed "library/version" key it guessed a
    /// handful of rows, and scanned a whole library by hand instead of through the vector index (33 ms
    /// against 3.6 ms on a 5,000-chunk library). The exact pairs are added only when a searched library
    /// has other versions that the two lists would let in.
    /// </summary>
    private sealed record ScopeKeys(string[] Versions, string[]? Pairs)
    {
        public static ScopeKeys Of(IReadOnlyList<(VisibleLibrary Library, string Version)> scope)
        {
            var versions = scope.Select(s => s.Version).Distinct(StringComparer.Ordinal).ToArray();
            var ambiguous = scope.Count > 1 && versions.Length > 1 && scope.Any(s => s.Library.Versions.Count(v => versions.Contains(v)) > 1);
            return new ScopeKeys(versions, ambiguous ? [.. scope.Select(s => $"{s.Library.LibraryId}/{s.Version}")] : null);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The embedding model failed; searching by full text alone")]
    private static partial void LogEmbeddingFailed(ILogger logger, Exception exception);
}
