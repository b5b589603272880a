using DocAIche.AppHost.Infrastructure;

var builder = DistributedApplication.CreateBuilder(args);

var infrastructure = builder.AddDocAIcheInfrastructure();

// DOCAICHE_REPLICAS=2 runs two instances of every service and two gateways behind one address (a
// front, HAProxy, on the gateway's port): the high-availability profile. Each gateway spreads a
// service's requests over its instances and stops sending to one that fails its health checks.
var replicas = builder.Replicas();

// The gateway is the public face. Its public address (DOCAICHE_PUBLIC_URL, by default the first
// instance's http://127.0.0.1:port, or the front's) is the token issuer every service and gateway
// instance checks. More instances (DOCAICHE_GATEWAY_INSTANCES) listen on the next ports, for clients
// spread over several gateways (a load balancer's job in production; the front's with replicas).
var gatewayPort = builder.GatewayPort();
var front = replicas > 1 ? builder.AddFront(gatewayPort ?? FreePort.Pick(), builder.GatewayInstances(replicas)) : null;
var gateways = Enumerable.Range(0, builder.GatewayInstances(replicas))
    .Select(i => builder.AddProject<Projects.DocAIche_Gateway>(i == 0 ? "gateway" : $"gateway-{i + 1}", launchProfileName: null)
        .FromBuiltOutput()
        .WithHttpEndpoint(name: "http", port: front is null ? gatewayPort + i : front.GatewayPort(i), isProxied: false)
        .WithEnvironment("ASPNETCORE_ENVIRONMENT", builder.Environment.EnvironmentName)
        .WithTraceSampling(builder.Configuration)
        .WithHttpHealthCheck("/alive"))
    .ToList();
var issuer = front is null ? builder.PublicUrl(gateways[0].GetEndpoint("http")) : builder.PublicUrl(front.Url);
var gatewayClientSecret = infrastructure.Secret("gateway-client-secret");
var consoleClientSecret = infrastructure.Secret("console-client-secret");

// Every service reads the token server's signing keys from identity (not waiting for it: keys are fetched on first use).
var identity = builder.AddServiceReplicas<Projects.DocAIche_Identity>("identity", issuer, replicas, service => service
    .Uses(infrastructure.IdentityDatabase)
    .Uses(infrastructure.Cache)
    .Uses(infrastructure.Messaging)
    .WithSettings(builder.Configuration, "Messaging")
    .WithEnvironment("Database__RuntimeRole__Password", infrastructure.Secret("identity-runtime-role-password"))
    .WithEnvironment("Identity__KeyEncryptionKey", infrastructure.Secret("identity-key-encryption-key"))
    .WithEnvironment("Identity__GatewayClientSecret", gatewayClientSecret)
    .WithEnvironment("Identity__ConsoleClientSecret", consoleClientSecret)
    // Tenants' own identity providers: which private networks they may be on, whether plain HTTP is allowed.
    .WithSettings(builder.Configuration, "Sso")
    .WithEnvironment("Bootstrap__Email", builder.BootstrapEmail())
    .WithEnvironment("Bootstrap__Password", builder.BootstrapPassword(infrastructure))
    // It validates its own API's tokens too, with its own keys.
    .WithEnvironment("Authentication__SigningKeysUri", ReferenceExpression.Create($"{service.GetEndpoint("http")}/.well-known/jwks")));

var documents = builder.AddServiceReplicas<Projects.DocAIche_Documents>("documents", issuer, replicas, service => service
    .Uses(infrastructure.DocumentsDatabase)
    // The tenants' quotas, which identity writes to Redis.
    .Uses(infrastructure.Cache)
    .Uses(infrastructure.Messaging)
    .WithSettings(builder.Configuration, "Messaging")
    .WithReferences(identity)
    .WithEnvironment("Database__RuntimeRole__Password", infrastructure.Secret("documents-runtime-role-password"))
    .WithEnvironment("Ingestion__CredentialKey", infrastructure.Secret("ingestion-credential-key"))
    .WithSettings(builder.Configuration, "Ingestion"));

var search = builder.AddServiceReplicas<Projects.DocAIche_Search>("search", issuer, replicas, service => service
    .Uses(infrastructure.SearchDatabase)
    .Uses(infrastructure.Cache)
    .Uses(infrastructure.Messaging)
    .WithSettings(builder.Configuration, "Messaging")
    .WithReferences(identity)
    .WithEnvironment("Database__RuntimeRole__Password", infrastructure.Secret("search-runtime-role-password"))
    // The embedding model's native buffers come from glibc's malloc: two arenas rather than one per core's worth
    // of threads, and blocks of 128 KiB and more mapped on their own so that what a batch frees goes back to the
    // system (glibc's sliding threshold kept it in the heap: 1.07 GB resident after embedding, against 0.37).
    .WithEnvironment("MALLOC_ARENA_MAX", "2")
    .WithEnvironment("MALLOC_MMAP_THRESHOLD_", "131072")
    .WithEnvironment("MALLOC_TRIM_THRESHOLD_", "131072")
    .WithSettings(builder.Configuration, "Search")
    .WithSettings(builder.Configuration, "Embeddings")
    .WithSettings(builder.Configuration, "Answers"));

// Every service works as a runtime role that reads and writes rows only (audit's appends only);
// the database's owner only migrates and grants.
var audit = builder.AddServiceReplicas<Projects.DocAIche_Audit>("audit", issuer, replicas, service => service
    .Uses(infrastructure.AuditDatabase)
    .Uses(infrastructure.Cache)
    .Uses(infrastructure.Messaging)
    .WithSettings(builder.Configuration, "Messaging")
    .WithReferences(identity)
    .WithEnvironment("Audit__SubjectKeyProtection", infrastructure.Secret("audit-subject-key-protection"))
    .WithEnvironment("Audit__CheckpointKey", infrastructure.Secret("audit-checkpoint-key"))
    .WithEnvironment("Audit__RuntimeRole__Password", infrastructure.Secret("audit-runtime-role-password"))
    .WithSettings(builder.Configuration, "Retention")
    .WithSettings(builder.Configuration, "Alerts"));

// Live connections have an endpoint of their own ("live", where the gateway's /ws goes); the HTTP
// one serves health and OpenAPI. Unproxied like every service's: the orchestrator's development proxy
// would hold two descriptors per live connection and run out of them (20,000 here) long before the
// service does.
var websocket = builder.AddServiceReplicas<Projects.DocAIche_WebSocket>("websocket", issuer, replicas, service => service
    .WithHttpEndpoint(name: "live", env: "LiveUpdates__Port", isProxied: false)
    .Uses(infrastructure.Cache)
    .Uses(infrastructure.Messaging)
    .WithReferences(identity)
    .WithSettings(builder.Configuration, "LiveUpdates"));

// The admin console, at the gateway's "/" (the APIs stay under /api): people sign in through identity's
// form as the console's confidential client; their tokens stay in the console's sessions in Redis. Each
// open page holds a live circuit in one instance, so the gateways keep a browser on its instance (an
// affinity cookie naming it by a hash every gateway computes alike); sessions are in Redis, so another
// instance takes a browser over, with a reload, if its own stops.
var console = builder.AddServiceReplicas<Projects.DocAIche_Console>("console", issuer, replicas, service => service
    .Uses(infrastructure.Cache)
    .WithEnvironment("Console__ClientSecret", consoleClientSecret));

// The gateway starts alongside the services rather than after them: it answers at once, with a
// problem for a service that is not up yet, and its /health says which ones are.
foreach (var gateway in gateways)
{
    gateway
        .WithEnvironment("Authentication__Issuer", issuer)
        .WithEnvironment("Gateway__IdentityClientSecret", gatewayClientSecret)
        .WithSettings(builder.Configuration, "Gateway")
        .Uses(infrastructure.Cache)
        .WithReferences(identity)
        .WithReferences(documents)
        .WithReferences(search)
        .WithReferences(audit)
        .WithReferences(websocket)
        .WithReferences(console)
        .WithInstanceHealthChecks(replicas);
}

builder.Build().Run();
