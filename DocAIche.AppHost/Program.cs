using DocAIche.AppHost.Infrastructure;

var builder = DistributedApplication.CreateBuilder(args);

var infrastructure = builder.AddDocAIcheInfrastructure();

var identity = builder.AddService<Projects.DocAIche_Identity>("identity")
    .Uses(infrastructure.IdentityDatabase)
    .Uses(infrastructure.Messaging);

var documents = builder.AddService<Projects.DocAIche_Documents>("documents")
    .Uses(infrastructure.DocumentsDatabase)
    .Uses(infrastructure.Messaging);

var search = builder.AddService<Projects.DocAIche_Search>("search")
    .Uses(infrastructure.SearchDatabase)
    .Uses(infrastructure.Cache)
    .Uses(infrastructure.Messaging);

var audit = builder.AddService<Projects.DocAIche_Audit>("audit")
    .Uses(infrastructure.AuditDatabase)
    .Uses(infrastructure.Messaging);

var websocket = builder.AddService<Projects.DocAIche_WebSocket>("websocket")
    .Uses(infrastructure.Messaging);

// The gateway starts alongside the services rather than after them: it answers at once, with a
// problem for a service that is not up yet, and its /health says which ones are.
builder.AddProject<Projects.DocAIche_Gateway>("gateway", launchProfileName: null)
    .WithHttpEndpoint(name: "http", port: builder.GatewayPort(), isProxied: false)
    .WithEnvironment("ASPNETCORE_ENVIRONMENT", builder.Environment.EnvironmentName)
    .WithHttpHealthCheck("/alive")
    .WithReference(identity)
    .WithReference(documents)
    .WithReference(search)
    .WithReference(audit)
    .WithReference(websocket);

builder.Build().Run();
