namespace DocAIche.AppHost.Infrastructure;

/// <summary>
/// A server-backed dependency as a service sees it: the connection string it is given, and the
/// resource whose readiness it waits for before it starts.
/// </summary>
internal sealed record ServerDependency(
    IResourceBuilder<IResourceWithConnectionString> Connection,
    IResourceBuilder<IResource> ReadyWhen);

/// <summary>The servers DocAIche runs on, however they were started, and where its generated secrets are kept.</summary>
internal sealed record InfrastructureResources(
    ServerDependency IdentityDatabase,
    ServerDependency DocumentsDatabase,
    ServerDependency SearchDatabase,
    ServerDependency AuditDatabase,
    ServerDependency Cache,
    ServerDependency Messaging,
    Func<string, IResourceBuilder<ParameterResource>> Secret);

internal static class ServerDependencyExtensions
{
    /// <summary>A parameter added before (a secret every instance of a service shares), or null.</summary>
    public static IResourceBuilder<ParameterResource>? ExistingParameter(this IDistributedApplicationBuilder builder, string name) =>
        builder.Resources.OfType<ParameterResource>().SingleOrDefault(p => p.Name == name) is { } existing
            ? builder.CreateResourceBuilder(existing)
            : null;

    /// <summary>Passes the dependency's connection string and starts the service only once it is ready.</summary>
    public static IResourceBuilder<ProjectResource> Uses(this IResourceBuilder<ProjectResource> project, ServerDependency dependency) =>
        project.WithReference(dependency.Connection).WaitFor(dependency.ReadyWhen);
}
