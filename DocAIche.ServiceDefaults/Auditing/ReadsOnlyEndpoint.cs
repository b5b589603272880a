using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace DocAIche.ServiceDefaults.Auditing;

/// <summary>Marks a POST that changes nothing (a search with a body), so it needs no audit record.</summary>
public sealed class ReadsOnlyMetadata
{
    /// <summary>The OpenAPI extension that says so, read by the audit-coverage test.</summary>
    public const string OpenApiExtension = "x-docaiche-reads-only";
}

public static class ReadsOnlyEndpoint
{
    /// <summary>Says that this endpoint changes nothing, although its method could; OpenAPI shows it as <c>x-docaiche-reads-only</c>.</summary>
    public static TBuilder ReadsOnly<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new ReadsOnlyMetadata());

    internal static OpenApiOptions AddReadsOnlyExtension(this OpenApiOptions options) =>
        options.AddOperationTransformer((operation, context, _) =>
        {
            if (context.Description.ActionDescriptor.EndpointMetadata.OfType<ReadsOnlyMetadata>().Any())
            {
                operation.Extensions ??= new Dictionary<string, IOpenApiExtension>();
                operation.Extensions[ReadsOnlyMetadata.OpenApiExtension] = new JsonNodeExtension(JsonValue.Create(true));
            }
            return Task.CompletedTask;
        });
}
