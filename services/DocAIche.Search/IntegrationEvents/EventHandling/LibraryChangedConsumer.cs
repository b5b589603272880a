using DocAIche.Contracts.Documents;
using DocAIche.Search.Infrastructure;
using DocAIche.Search.Model;
using DocAIche.ServiceDefaults.Messaging;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace DocAIche.Search.IntegrationEvents.EventHandling;

/// <summary>Keeps the library's sharing, versions and name current; drops the chunks of deleted libraries and versions.</summary>
public sealed class LibraryChangedConsumer(SearchDbContext db, ILogger<LibraryChangedConsumer> logger, TimeProvider time)
    : InboxConsumer<LibraryChanged, SearchDbContext>(db, logger, time)
{
    protected override async Task HandleAsync(ConsumeContext<LibraryChanged> context, CancellationToken cancellationToken)
    {
        var changed = context.Message;
        var library = await Db.IndexedLibraries.SingleOrDefaultAsync(l => l.LibraryId == changed.LibraryId, cancellationToken);
        if (library is not null && (library.TenantId != changed.TenantId || library.ChangedAt > changed.ChangedAt))
        {
            return;
        }
        if (library is null)
        {
            library = new IndexedLibrary { LibraryId = changed.LibraryId, TenantId = changed.TenantId, Name = changed.Name };
            Db.IndexedLibraries.Add(library);
        }
        library.Name = changed.Name;
        library.Description = changed.Description;
        library.Shared = changed.Shared;
        library.DefaultVersion = changed.DefaultVersion;
        library.Versions = [.. changed.Versions];
        library.Deleted = changed.Change == "deleted";
        library.ChangedAt = changed.ChangedAt;
        library.Generation++;

        var versions = changed.Versions.ToList();
        var gone = library.Deleted
            ? Db.IndexedChunks.Where(c => c.LibraryId == changed.LibraryId)
            : Db.IndexedChunks.Where(c => c.LibraryId == changed.LibraryId && !versions.Contains(c.Version));
        await gone.ExecuteDeleteAsync(cancellationToken);
        if (library.Deleted)
        {
            // Its words are its content too: they go with it.
            await Db.IndexedTerms.Where(t => t.LibraryId == changed.LibraryId).ExecuteDeleteAsync(cancellationToken);
        }
    }
}
