using DocAIche.ServiceDefaults.Messaging;
using MassTransit;
using MassTransit.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace DocAIche.UnitTests.Messaging;

/// <summary>An event a test service publishes.</summary>
public sealed record WidgetCreated(Guid WidgetId, string Name);

public sealed class Widget
{
    public Guid Id { get; set; }
    public required string Name { get; set; }
}

public sealed class WidgetDbContext(DbContextOptions<WidgetDbContext> options) : DbContext(options)
{
    public DbSet<Widget> Widgets => Set<Widget>();

    protected override void OnModelCreating(ModelBuilder modelBuilder) => modelBuilder.AddIntegrationEventTables();
}

/// <summary>Stores a widget per event, through the inbox.</summary>
public sealed class WidgetCreatedConsumer(WidgetDbContext db, TimeProvider time, FailureSwitch failures)
    : InboxConsumer<WidgetCreated, WidgetDbContext>(db, NullLogger.Instance, time)
{
    protected override Task HandleAsync(ConsumeContext<WidgetCreated> context, CancellationToken cancellationToken)
    {
        Db.Widgets.Add(new Widget { Id = Guid.NewGuid(), Name = context.Message.Name });
        if (failures.FailNextHandler)
        {
            failures.FailNextHandler = false;
            throw new InvalidOperationException("The handler failed after changing state.");
        }
        return Task.CompletedTask;
    }
}

/// <summary>Lets a test make the broker refuse publications, or a handler fail once.</summary>
public sealed class FailureSwitch
{
    public bool RefusePublications { get; set; }
    public bool FailNextHandler { get; set; }
}

public sealed class RefusingPublishFilter<T>(FailureSwitch failures) : IFilter<PublishContext<T>> where T : class
{
    public Task Send(PublishContext<T> context, IPipe<PublishContext<T>> next) =>
        failures.RefusePublications ? throw new InvalidOperationException("The broker did not confirm the publication.") : next.Send(context);

    public void Probe(ProbeContext context) => context.CreateFilterScope("refusing");
}

/// <summary>A service's messaging as the outbox and inbox see it: an EF context, the MassTransit test harness, the dispatcher.</summary>
public sealed class MessagingTestHost : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    private MessagingTestHost(ServiceProvider services) => _services = services;

    public ITestHarness Harness => _services.GetRequiredService<ITestHarness>();
    public FailureSwitch Failures => _services.GetRequiredService<FailureSwitch>();
    public OutboxSignal Signal => _services.GetRequiredService<OutboxSignal>();
    public OutboxDispatcher<WidgetDbContext> Dispatcher { get; private set; } = null!;
    public DeliveryCounter Deliveries { get; } = new();

    public static async Task<MessagingTestHost> StartAsync(int batchSize = 100)
    {
        var databaseName = Guid.NewGuid().ToString();
        var services = new ServiceCollection()
            .AddLogging()
            .AddSingleton(TimeProvider.System)
            .AddSingleton<FailureSwitch>()
            .AddSingleton<OutboxSignal>()
            .AddDbContext<WidgetDbContext>((provider, options) => options
                .UseInMemoryDatabase(databaseName)
                // The inbox opens a transaction; the in-memory provider has none (atomicity is tested on PostgreSQL).
                .ConfigureWarnings(warnings => warnings.Ignore(Microsoft.EntityFrameworkCore.Diagnostics.InMemoryEventId.TransactionIgnoredWarning))
                .AddInterceptors(provider.GetRequiredService<OutboxSignal>()))
            .AddMassTransitTestHarness(bus =>
            {
                bus.AddConsumer<WidgetCreatedConsumer>();
                bus.UsingInMemory((context, cfg) =>
                {
                    cfg.UsePublishFilter(typeof(RefusingPublishFilter<>), context);
                    cfg.ConfigureEndpoints(context);
                });
            })
            .BuildServiceProvider(validateScopes: true);

        var host = new MessagingTestHost(services);
        await host.Harness.Start();
        host.Harness.Bus.ConnectConsumeObserver(host.Deliveries);
        host.Dispatcher = new OutboxDispatcher<WidgetDbContext>(
            services.GetRequiredService<IServiceScopeFactory>(),
            host.Signal,
            Options.Create(new OutboxOptions { BatchSize = batchSize }),
            TimeProvider.System,
            NullLogger<OutboxDispatcher<WidgetDbContext>>.Instance);
        return host;
    }

    public IntegrationEventRetention<WidgetDbContext> CreateRetention(IntegrationEventRetentionOptions options) => new(
        _services.GetRequiredService<IServiceScopeFactory>(),
        Options.Create(options),
        TimeProvider.System,
        NullLogger<IntegrationEventRetention<WidgetDbContext>>.Instance);

    public async Task<T> WithDbAsync<T>(Func<WidgetDbContext, Task<T>> action)
    {
        await using var scope = _services.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<WidgetDbContext>());
    }

    public Task WithDbAsync(Func<WidgetDbContext, Task> action) => WithDbAsync(async db =>
    {
        await action(db);
        return true;
    });

    public async ValueTask DisposeAsync()
    {
        Dispatcher.Dispose();
        await _services.DisposeAsync();
    }
}

/// <summary>Counts every delivery a consumer finished, successfully or not (the harness lists a message id once).</summary>
public sealed class DeliveryCounter : IConsumeObserver
{
    private int _finished;

    public int Finished => Volatile.Read(ref _finished);

    public Task PreConsume<T>(ConsumeContext<T> context) where T : class => Task.CompletedTask;

    public Task PostConsume<T>(ConsumeContext<T> context) where T : class
    {
        Interlocked.Increment(ref _finished);
        return Task.CompletedTask;
    }

    public Task ConsumeFault<T>(ConsumeContext<T> context, Exception exception) where T : class
    {
        Interlocked.Increment(ref _finished);
        return Task.CompletedTask;
    }
}
