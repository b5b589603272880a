using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using DocAIche.IntegrationTests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace DocAIche.IntegrationTests;

/// <summary>
/// Backup and point-in-time restore in executables mode, as an operator would do them: a base
/// backup of the running system (eng/backup.sh), more changes, a restore to the moment between
/// them into a new data folder (eng/restore.sh), and a second DocAIche started on it, which must
/// answer as the first did at that moment.
/// </summary>
[Collection(DocAIcheCollection.Name)]
public sealed class BackupRestoreTests(DocAIcheFixture docaiche, ITestOutputHelper output)
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(4);

    private static async Task<string> RunAsync(string script, params string[] arguments)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Repository.PathOf("eng", script));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{script} exited {process.ExitCode}:\n{await stderr}\n{await stdout}");
        return (await stdout).Trim().Split('\n')[^1];
    }

    private static async Task<bool> FindsAsync(HttpClient client, Guid documentId, string word) =>
        (await client.SearchAsync(word)).Results.Any(r => r.DocumentId == documentId);

    [Fact]
    public async Task A_backup_restores_to_a_moment_and_the_system_answers_as_it_did_then()
    {
        var restored = Path.Combine(Path.GetTempPath(), $"docaiche-restored-{Guid.NewGuid():N}");
        try
        {
            // Before the backup: a page, searchable, and the audit records of its library.
            var before = GatewayClient.UniqueWord("kept");
            var kept = await docaiche.Gateway.StoreDocumentAsync("Kept page", $"# Kept page\n\nAbout {before}.");
            await Eventually.Async(() => FindsAsync(docaiche.Gateway, kept.Id, before), found => found, TimeSpan.FromSeconds(60), "the kept page in search");

            var clock = Stopwatch.StartNew();
            // Where an operator's backups go by default: beside the server's WAL archive, which must keep working.
            var backup = await RunAsync("backup.sh", "--data", docaiche.DataPath);
            var backupSeconds = clock.Elapsed.TotalSeconds;

            // The moment to restore to, by the database's clock; then a change that must not come back.
            await using var documents = await docaiche.OpenAsync("documentsdb");
            var target = await documents.ScalarAsync<DateTime>("SELECT now()");
            await Task.Delay(TimeSpan.FromSeconds(1));
            var after = GatewayClient.UniqueWord("lost");
            var lost = await docaiche.Gateway.StoreDocumentAsync("Later page", $"# Later page\n\nAbout {after}.");
            await Eventually.Async(() => FindsAsync(docaiche.Gateway, lost.Id, after), found => found, TimeSpan.FromSeconds(60), "the later page in search");
            // Recovery needs the WAL up to a commit past the target: close the segment and wait for its archive.
            var segment = await documents.ScalarAsync<string>("SELECT pg_walfile_name(pg_switch_wal())");
            await Eventually.Async(() => documents.ScalarAsync<string>("SELECT coalesce(last_archived_wal, '') FROM pg_stat_archiver"),
                archived => string.CompareOrdinal(archived, segment) >= 0, TimeSpan.FromSeconds(60), "the WAL segment in the archive");

            clock.Restart();
            await RunAsync("restore.sh", "--from", backup, "--to", restored, "--time", target.ToString("yyyy-MM-dd HH:mm:ss.ffffff+00"));
            var restoreSeconds = clock.Elapsed.TotalSeconds;

            var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.DocAIche_AppHost>(
            [
                "Infrastructure:Mode=executables",
                $"Infrastructure:DataPath={restored}",
                "DOCAICHE_GATEWAY_PORT=0",
                $"DOCAICHE_BOOTSTRAP_EMAIL={DocAIcheFixture.OwnerEmail}",
                $"DOCAICHE_BOOTSTRAP_PASSWORD={docaiche.OwnerPassword}",
            ]);
            builder.Services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
            await using var app = await builder.BuildAsync();
            using (var timeout = new CancellationTokenSource(StartTimeout))
            {
                await app.StartAsync(timeout.Token);
                foreach (var resource in new[] { "identity", "documents", "search", "audit", "websocket", "gateway" })
                {
                    await app.ResourceNotifications.WaitForResourceHealthyAsync(resource, timeout.Token);
                }
            }
            var startSeconds = clock.Elapsed.TotalSeconds - restoreSeconds;

            // The first owner signs in to the restored system with the password they had.
            var gateway = new UriBuilder(app.GetEndpoint("gateway", "http")) { Host = "127.0.0.1" }.Uri;
            var token = (await OidcTestClient.SignInAsync(gateway, DocAIcheFixture.OwnerEmail, docaiche.OwnerPassword)).AccessToken;
            using var client = new HttpClient { BaseAddress = gateway };
            client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);

            // As it was at the target: the kept page is there and searchable, the later one is not.
            using (var keptPage = await client.GetAsync($"/api/v1/documents/{kept.Id}"))
            {
                Assert.Equal(HttpStatusCode.OK, keptPage.StatusCode);
            }
            using (var lostPage = await client.GetAsync($"/api/v1/documents/{lost.Id}"))
            {
                Assert.Equal(HttpStatusCode.NotFound, lostPage.StatusCode);
            }
            Assert.True(await FindsAsync(client, kept.Id, before));
            Assert.False(await FindsAsync(client, lost.Id, after));

            // The audit trail came back whole.
            var verification = await client.GetFromJsonAsync<Verification>("/api/v1/audit/verify", GatewayClient.Json);
            Assert.True(verification!.Verified, verification.Problem);
            Assert.True(verification.RecordsChecked > 0);

            output.WriteLine($"backup {backupSeconds:0.0} s, restore (WAL replay to the target) {restoreSeconds:0.0} s, " +
                $"start to healthy {startSeconds:0.0} s: RTO {restoreSeconds + startSeconds:0.0} s; RPO at most the archive timeout (60 s) for a " +
                "restore to the latest moment, none for a moment already archived");
        }
        finally
        {
            foreach (var folder in new[] { restored })
            {
                try
                {
                    Directory.Delete(folder, recursive: true);
                }
                catch (IOException)
                {
                }
                catch (UnauthorizedAccessException)
                {
                }
            }
        }
    }
}
