using System.Text;

/// <summary>
/// Documentation-like Markdown from a vocabulary of a few thousand words: common English, technical
/// terms and API identifiers (<c>client.retry_policy</c>, <c>ConnectionPool</c>). Words are drawn
/// with Zipf frequencies, so some terms are in nearly every chunk and the tail of the identifiers
/// is in a handful of chunks out of 100,000: full-text queries meet both kinds.
/// </summary>
internal sealed class Corpus
{
    private static readonly string[] English =
        ("the and to of a in is for with that this on you be are by it as can or when from an if use not your all each which " +
         "default new set must may should more one value see also example first only other time call return run make need way " +
         "work change create add remove check find keep start stop read write open close before after then than into over " +
         "without between through while every some any most many same different next last another both either because however " +
         "instead otherwise usually always never often already still again once here there where how what why who does do has " +
         "have had been being was were will would could might shall about above below under within across against along around " +
         "following section page guide note important warning tip step steps list table above below left right top bottom " +
         "true false none null empty full small large fast slow safe simple common single multiple current previous initial final " +
         "given known used available supported required optional enabled disabled valid invalid local remote public private " +
         "internal external automatic manual explicit implicit directly easily quickly only just even less least enough").Split(' ');

    private static readonly string[] Technical =
        ("request response client server connection session token cache index query version library option setting configuration " +
         "handler middleware service event message queue retry timeout document chunk search vector endpoint route header body " +
         "payload schema field column table row record key secret credential certificate proxy gateway port address host domain " +
         "protocol socket stream buffer channel thread task worker pool scheduler job batch pipeline stage step hook plugin " +
         "extension module package dependency build compiler runtime interpreter container image volume cluster node replica shard " +
         "partition leader follower consensus quorum transaction commit rollback lock mutex semaphore deadlock latency throughput " +
         "bandwidth backoff jitter circuit breaker fallback failover health probe metric trace span log logger level sink exporter " +
         "collector dashboard alert threshold quota limit rate burst window bucket counter gauge histogram sample percentile " +
         "serializer deserializer encoder decoder codec compression encryption hash signature digest nonce salt cipher key " +
         "migration seed fixture mock stub fake test assertion coverage benchmark profiler allocation garbage collector heap stack " +
         "memory leak pointer reference iterator generator coroutine callback promise future observable subscription publisher " +
         "subscriber topic exchange binding consumer producer offset checkpoint snapshot backup restore replication lag " +
         "filter sort order pagination cursor offset limit projection aggregation join union subquery view trigger procedure " +
         "function method class interface struct enum record property attribute annotation decorator generic template macro " +
         "namespace scope closure lambda delegate variable constant parameter argument flag environment profile tenant user role " +
         "permission policy claim audience issuer scope grant refresh revocation session cookie origin redirect callback " +
         "webhook notification email template locale timezone encoding charset unicode utf8 json yaml toml xml csv markdown html " +
         "parser lexer tokenizer grammar syntax tree visitor walker formatter linter analyzer diagnostic warning error exception " +
         "panic crash dump core signal interrupt handler daemon process fork spawn exec shell terminal console prompt command " +
         "subcommand alias completion manifest lockfile registry mirror artifact release changelog deprecation upgrade downgrade " +
         "compatibility breaking semver tag branch merge rebase conflict patch diff hunk blame bisect cherry stash remote origin " +
         "upstream fetch pull push clone checkout workspace monorepo toolchain sdk cli api rest grpc graphql websocket http tls " +
         "dns tcp udp ipv6 loopback firewall ingress egress load balancer autoscaler deployment rollout canary blue green " +
         "feature toggle experiment cohort segment tracking analytics telemetry opentelemetry prometheus grafana kubernetes helm " +
         "terraform ansible docker compose postgres redis rabbitmq kafka elasticsearch sqlite mysql mongodb cassandra etcd " +
         "embedding tensor model inference onnx tokenizer transformer attention layer weight gradient optimizer epoch").Split(' ');

    private static readonly string[] Objects =
        ("client session pool config router cache logger worker queue stream server channel request response context app engine " +
         "registry scheduler store repository provider factory builder manager handler resolver loader writer reader parser " +
         "encoder decoder transport connection cursor index tracer meter exporter policy limiter breaker retrier watcher " +
         "listener dispatcher publisher consumer producer bucket table document chunk vector token credential tenant").Split(' ');

    private static readonly string[] Members =
        ("retry_policy max_connections timeout_ms open_stream close read_all write_batch flush_async on_error on_complete " +
         "base_url api_key headers default_headers max_retries backoff_factor keep_alive idle_timeout pool_size min_size " +
         "max_size batch_size page_size page_token next_cursor sort_order filter_by include_deleted dry_run verbose log_level " +
         "trace_id span_id sample_rate export_interval buffer_size chunk_size overlap_tokens embedding_model ef_search " +
         "connect_timeout read_timeout write_timeout ssl_mode verify_peer ca_file cert_file key_file proxy_url user_agent " +
         "rate_limit burst_size window_seconds cache_ttl stale_after max_age etag last_modified content_type accept_encoding " +
         "compression_level encryption_key signing_key audience issuer scopes grant_type refresh_token access_token expires_in " +
         "on_retry on_timeout on_close shutdown start_async stop_async dispose_async register unregister subscribe unsubscribe " +
         "publish consume ack nack requeue dead_letter prefetch_count concurrency_limit queue_depth worker_count thread_count " +
         "checkpoint_interval snapshot_every compaction_threshold replication_factor partition_count leader_lease heartbeat_ms " +
         "election_timeout commit_index apply_index last_applied migrate seed rollback upgrade validate normalize serialize " +
         "deserialize encode decode hash_password verify_token issue_token revoke_token resolve_library search_docs").Split(' ');

    private readonly string[] _identifiers;
    private readonly Zipf _english;
    private readonly Zipf _technical;
    private readonly Zipf _identifier;

    public Corpus(int seed)
    {
        // A fixed shuffle, so which identifiers are common and which rare is the same on every run.
        var shuffle = new Random(seed);
        var dotted = Objects.SelectMany(o => Members.Select(m => $"{o}.{m}"));
        var pascal = Objects.SelectMany(o => Technical.Take(60).Select(t => Pascal(t) + Pascal(o))).Distinct();
        _identifiers = [.. dotted.Concat(pascal).OrderBy(_ => shuffle.Next()).Take(2600)];
        _english = new Zipf(English.Length, 1.0);
        _technical = new Zipf(Technical.Length, 1.0);
        _identifier = new Zipf(_identifiers.Length, 1.1);
    }

    /// <summary>Distinct words and identifiers the generator draws from.</summary>
    public int VocabularySize => English.Distinct().Count() + Technical.Distinct().Count() + _identifiers.Length;

    /// <summary>A document's title, a few technical words and sometimes an identifier.</summary>
    public string Title(Random random) => random.Next(4) switch
    {
        0 => $"Configuring the {TechnicalWord(random)} {TechnicalWord(random)}",
        1 => $"{Pascal(TechnicalWord(random))} {TechnicalWord(random)} reference",
        2 => $"{_identifiers[_identifier.Sample(random)]} and {TechnicalWord(random)}",
        _ => $"Working with {TechnicalWord(random)} {TechnicalWord(random)}s",
    };

    public string Section(Random random) => random.Next(3) switch
    {
        0 => $"{Pascal(EnglishWord(random))} {TechnicalWord(random)} {TechnicalWord(random)}",
        1 => $"Using {Code(random)}",
        _ => $"{Pascal(TechnicalWord(random))} {TechnicalWord(random)}",
    };

    /// <summary>
    /// One chunk's Markdown: a heading, paragraphs, sometimes a list or a code block, 600 to 1000
    /// characters (cut at a word boundary, as the service's chunker aims for).
    /// </summary>
    public string Chunk(Random random, string section)
    {
        var target = random.Next(600, 1001);
        var text = new StringBuilder(1100);
        text.Append("## ").Append(section).Append("\n\n");
        while (text.Length < target)
        {
            switch (random.Next(6))
            {
                case 0:
                    text.Append("```python\n");
                    for (var line = random.Next(2, 5); line > 0; line--)
                    {
                        text.Append(Code(random)).Append(" = ").Append(Pascal(TechnicalWord(random))).Append('(')
                            .Append(Members[random.Next(Members.Length)]).Append('=').Append(random.Next(1, 100)).Append(")\n");
                    }
                    text.Append("```\n\n");
                    break;
                case 1:
                    for (var item = random.Next(2, 5); item > 0; item--)
                    {
                        text.Append("- ").Append(Sentence(random, random.Next(5, 10))).Append('\n');
                    }
                    text.Append('\n');
                    break;
                default:
                    for (var sentence = random.Next(2, 5); sentence > 0; sentence--)
                    {
                        text.Append(Sentence(random, random.Next(8, 20))).Append(". ");
                    }
                    text.Length--;
                    text.Append("\n\n");
                    break;
            }
        }
        var content = text.ToString().TrimEnd();
        if (content.Length > 1000)
        {
            var cut = content.LastIndexOf(' ', 999);
            content = content[..(cut > 600 ? cut : 1000)];
        }
        return content;
    }

    /// <summary>
    /// A 2-5 word query mixing common terms, rarer terms and identifiers; the caller keeps them unique.
    /// </summary>
    public string Query(Random random)
    {
        var words = new List<string>();
        var count = random.Next(2, 6);
        for (var i = 0; i < count; i++)
        {
            words.Add(random.Next(10) switch
            {
                0 or 1 => Technical[random.Next(Math.Min(20, Technical.Length))],   // very common
                2 or 3 or 4 => TechnicalWord(random),                                  // Zipf: mostly common, sometimes rare
                5 => Technical[random.Next(Technical.Length / 2, Technical.Length)],   // rare technical term
                6 => _identifiers[_identifier.Sample(random)],                          // identifier, Zipf
                7 => _identifiers[random.Next(_identifiers.Length / 2, _identifiers.Length)], // rare identifier
                8 => English[random.Next(40, English.Length)],                         // an English word
                _ => new[] { "how", "configure", "why", "error", "set", "default", "example" }[random.Next(7)],
            });
        }
        return string.Join(' ', words);
    }

    private string Sentence(Random random, int length)
    {
        var words = new StringBuilder();
        for (var i = 0; i < length; i++)
        {
            if (i > 0)
            {
                words.Append(' ');
            }
            var roll = random.Next(100);
            words.Append(roll < 45 ? EnglishWord(random) : roll < 88 ? TechnicalWord(random) : $"`{Code(random)}`");
        }
        words[0] = char.ToUpperInvariant(words[0]);
        return words.ToString();
    }

    private string EnglishWord(Random random) => English[_english.Sample(random)];

    private string TechnicalWord(Random random) => Technical[_technical.Sample(random)];

    private string Code(Random random) => _identifiers[_identifier.Sample(random)];

    private static string Pascal(string word) => char.ToUpperInvariant(word[0]) + word[1..];

    /// <summary>Ranks 0..n-1 drawn with probability proportional to 1 / (rank + 1)^s.</summary>
    private sealed class Zipf
    {
        private readonly double[] _cumulative;

        public Zipf(int n, double s)
        {
            _cumulative = new double[n];
            var total = 0.0;
            for (var i = 0; i < n; i++)
            {
                total += 1.0 / Math.Pow(i + 1, s);
                _cumulative[i] = total;
            }
            for (var i = 0; i < n; i++)
            {
                _cumulative[i] /= total;
            }
        }

        public int Sample(Random random)
        {
            var index = Array.BinarySearch(_cumulative, random.NextDouble());
            return Math.Min(index < 0 ? ~index : index, _cumulative.Length - 1);
        }
    }
}
