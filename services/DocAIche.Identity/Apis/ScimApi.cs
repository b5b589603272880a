using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using DocAIche.Identity.Infrastructure;
using DocAIche.Identity.Model;
using DocAIche.Identity.Tokens;
using DocAIche.ServiceDefaults.Auditing;
using DocAIche.ServiceDefaults.Data;
using Microsoft.EntityFrameworkCore;

namespace DocAIche.Identity.Apis;

/// <summary>
/// SCIM 2.0 (RFC 7643/7644) for a tenant's identity provider to provision and deprovision its people:
/// Users and Groups with <c>eq</c> filters, paging, PUT and PATCH, under a per-tenant bearer token
/// (<c>POST /api/v1/sso/scim-token</c>). Groups' display names map to roles through the identity
/// provider's group mapping, so membership changes change roles. A user made inactive or deleted
/// stops at once: sign-in, refresh tokens, API keys, and (at the gateway) the access tokens already
/// issued (<see cref="AccessRevocation"/>). Errors are SCIM error documents, as SCIM clients expect.
/// </summary>
public static partial class ScimApi
{
    private const string UserSchema = "urn:ietf:params:scim:schemas:core:2.0:User";
    private const string GroupSchema = "urn:ietf:params:scim:schemas:core:2.0:Group";
    private const string ListSchema = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
    private const string ErrorSchema = "urn:ietf:params:scim:api:messages:2.0:Error";
    private const string ContentType = "application/scim+json";
    private const int MaxPage = 200;

    public static IEndpointRouteBuilder MapScimApi(this IEndpointRouteBuilder app)
    {
        var scim = app.MapGroup("/scim/v2").AllowAnonymous().ExcludeFromDescription().DisableAntiforgery().AddEndpointFilter(AuthenticateAsync);
        scim.MapGet("/ServiceProviderConfig", ServiceProviderConfig);
        scim.MapGet("/Users", ListUsersAsync);
        scim.MapGet("/Users/{id}", GetUserAsync);
        scim.MapPost("/Users", CreateUserAsync);
        scim.MapPut("/Users/{id}", ReplaceUserAsync);
        scim.MapPatch("/Users/{id}", PatchUserAsync);
        scim.MapDelete("/Users/{id}", DeleteUserAsync);
        scim.MapGet("/Groups", ListGroupsAsync);
        scim.MapGet("/Groups/{id}", GetGroupAsync);
        scim.MapPost("/Groups", CreateGroupAsync);
        scim.MapPut("/Groups/{id}", ReplaceGroupAsync);
        scim.MapPatch("/Groups/{id}", PatchGroupAsync);
        scim.MapDelete("/Groups/{id}", DeleteGroupAsync);
        return app;
    }

    /// <summary>The SCIM token names the tenant every query of the request acts for.</summary>
    private static async ValueTask<object?> AuthenticateAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var header = http.Request.Headers.Authorization.ToString();
        var token = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header[7..].Trim() : "";
        if (!ScimTokens.LooksLikeToken(token))
        {
            return Error(StatusCodes.Status401Unauthorized, "A SCIM bearer token is required.");
        }
        var db = http.RequestServices.GetRequiredService<IdentityDbContext>();
        var hash = ApiKeySecrets.Hash(token);
        // Across tenants: the token is the credential, and it says which tenant the request is for.
        var stored = await db.ScimTokens.AcrossTenants().AsNoTracking().SingleOrDefaultAsync(t => t.SecretHash == hash, http.RequestAborted);
        if (stored is null)
        {
            return Error(StatusCodes.Status401Unauthorized, "The SCIM bearer token is not valid.");
        }
        http.RequestServices.GetRequiredService<TenantScope>().ActFor(stored.TenantId);
        var now = http.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow();
        if (stored.LastUsedAt is null || now - stored.LastUsedAt > TimeSpan.FromMinutes(1))
        {
            await db.ScimTokens.Where(t => t.TenantId == stored.TenantId).ExecuteUpdateAsync(t => t.SetProperty(x => x.LastUsedAt, now), http.RequestAborted);
        }
        return await next(context);
    }

    private static IResult ServiceProviderConfig() => Scim(new JsonObject
    {
        ["schemas"] = new JsonArray("urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"),
        ["patch"] = new JsonObject { ["supported"] = true },
        ["bulk"] = new JsonObject { ["supported"] = false, ["maxOperations"] = 0, ["maxPayloadSize"] = 0 },
        ["filter"] = new JsonObject { ["supported"] = true, ["maxResults"] = MaxPage },
        ["changePassword"] = new JsonObject { ["supported"] = false },
        ["sort"] = new JsonObject { ["supported"] = false },
        ["etag"] = new JsonObject { ["supported"] = false },
        ["authenticationSchemes"] = new JsonArray(new JsonObject
        {
            ["type"] = "oauthbearertoken", ["name"] = "Bearer token", ["description"] = "The tenant's SCIM token from DocAIche.",
        }),
    });

    // ---- Users ----

    private static async Task<IResult> ListUsersAsync(HttpContext http, IdentityDbContext db, string? filter, int? startIndex, int? count, CancellationToken ct)
    {
        IQueryable<User> users = db.Users.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(filter))
        {
            if (ParseFilter(filter) is not var (attribute, value))
            {
                return Error(StatusCodes.Status400BadRequest, "Filters supported: userName, externalId, id or emails.value with eq.", "invalidFilter");
            }
            switch (attribute)
            {
                case "username" or "emails.value" or "emails":
                    var normalized = User.Normalize(value);
                    users = users.Where(u => u.NormalizedEmail == normalized);
                    break;
                case "externalid":
                    users = users.Where(u => u.ExternalId == value);
                    break;
                case "id":
                    users = Guid.TryParse(value, out var id) ? users.Where(u => u.Id == id) : users.Where(_ => false);
                    break;
                default:
                    return Error(StatusCodes.Status400BadRequest, $"Filtering on {attribute} is not supported.", "invalidFilter");
            }
        }
        var (skip, take) = Page(startIndex, count);
        var total = await users.CountAsync(ct);
        var page = await users.OrderBy(u => u.CreatedAt).ThenBy(u => u.Id).Skip(skip).Take(take).ToListAsync(ct);
        var groups = await db.ScimGroups.AsNoTracking().ToListAsync(ct);
        return ListOf(total, skip, page.Select(u => UserResource(u, groups, http)));
    }

    private static async Task<IResult> GetUserAsync(string id, HttpContext http, IdentityDbContext db, CancellationToken ct)
    {
        var user = await FindUserAsync(db, id, ct);
        return user is null ? NotFound("User", id) : Scim(UserResource(user, await db.ScimGroups.AsNoTracking().ToListAsync(ct), http));
    }

    private static async Task<IResult> CreateUserAsync(HttpContext http, IdentityDbContext db, TimeProvider time, CancellationToken ct)
    {
        if (await ReadAsync(http) is not { } body)
        {
            return Error(StatusCodes.Status400BadRequest, "The body is not a SCIM JSON object.", "invalidSyntax");
        }
        var tenantId = TenantOf(http);
        var user = new User { Id = Guid.CreateVersion7(), TenantId = tenantId, Email = "", NormalizedEmail = "", DisplayName = "", CreatedAt = time.GetUtcNow() };
        if (await ApplyUserAsync(user, body, db, ct) is { } refusal)
        {
            return refusal;
        }
        db.Users.Add(user);
        db.AddAuditEvent(time, http, tenantId, "scim", "user.provisioned", "user", user.Id.ToString(),
            details: new Dictionary<string, string> { ["by"] = "scim" });
        await db.SaveChangesAsync(ct);
        return Scim(UserResource(user, await db.ScimGroups.AsNoTracking().ToListAsync(ct), http), StatusCodes.Status201Created);
    }

    private static async Task<IResult> ReplaceUserAsync(string id, HttpContext http, IdentityDbContext db, AccessRevocation revocation, TimeProvider time, CancellationToken ct)
    {
        if (await ReadAsync(http) is not { } body)
        {
            return Error(StatusCodes.Status400BadRequest, "The body is not a SCIM JSON object.", "invalidSyntax");
        }
        var user = await FindUserAsync(db, id, ct);
        if (user is null)
        {
            return NotFound("User", id);
        }
        var wasDisabled = user.Disabled;
        if (!body.ContainsKey("active"))
        {
            // PUT replaces: a missing "active" means active (RFC 7643 §4.1.1 default).
            body["active"] = true;
        }
        return await SaveUserAsync(user, wasDisabled, await ApplyUserAsync(user, body, db, ct), http, db, revocation, time, ct);
    }

    private static async Task<IResult> PatchUserAsync(string id, HttpContext http, IdentityDbContext db, AccessRevocation revocation, TimeProvider time, CancellationToken ct)
    {
        if (await ReadAsync(http) is not { } body || body["Operations"] is not JsonArray operations)
        {
            return Error(StatusCodes.Status400BadRequest, "A PatchOp with Operations is required.", "invalidSyntax");
        }
        var user = await FindUserAsync(db, id, ct);
        if (user is null)
        {
            return NotFound("User", id);
        }
        var wasDisabled = user.Disabled;
        var changes = new JsonObject();
        foreach (var operation in operations.OfType<JsonObject>())
        {
            var op = operation["op"]?.GetValue<string>().ToLowerInvariant();
            var path = operation["path"]?.GetValue<string>();
            var value = operation["value"];
            if (op is not ("add" or "replace" or "remove"))
            {
                return Error(StatusCodes.Status400BadRequest, $"Unknown operation '{op}'.", "invalidSyntax");
            }
            if (path is null && value is JsonObject whole)
            {
                foreach (var (key, item) in whole)
                {
                    changes[key] = item?.DeepClone();
                }
            }
            else if (path is not null)
            {
                changes[path] = op == "remove" ? null : value?.DeepClone();
            }
        }
        return await SaveUserAsync(user, wasDisabled, await ApplyUserAsync(user, changes, db, ct, partial: true), http, db, revocation, time, ct);
    }

    private static async Task<IResult> SaveUserAsync(
        User user, bool wasDisabled, IResult? refusal, HttpContext http, IdentityDbContext db, AccessRevocation revocation, TimeProvider time, CancellationToken ct)
    {
        if (refusal is not null)
        {
            return refusal;
        }
        IReadOnlyList<string> revoked = [];
        if (user.Disabled && !wasDisabled)
        {
            revoked = await revocation.DisableAsync(user, ct);
            db.AddAuditEvent(time, http, user.TenantId, "scim", "user.deprovisioned", "user", user.Id.ToString());
        }
        else if (!user.Disabled && wasDisabled)
        {
            db.AddAuditEvent(time, http, user.TenantId, "scim", "user.enabled", "user", user.Id.ToString());
        }
        else
        {
            db.AddAuditEvent(time, http, user.TenantId, "scim", "user.updated", "user", user.Id.ToString());
        }
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            return Error(StatusCodes.Status409Conflict, "Another account has this userName or externalId.", "uniqueness");
        }
        if (revoked.Count > 0)
        {
            await revocation.AnnounceAsync(revoked, ct);
        }
        return Scim(UserResource(user, await db.ScimGroups.AsNoTracking().ToListAsync(ct), http));
    }

    private static async Task<IResult> DeleteUserAsync(string id, HttpContext http, IdentityDbContext db, AccessRevocation revocation, TimeProvider time, CancellationToken ct)
    {
        var user = await FindUserAsync(db, id, ct);
        if (user is null)
        {
            return NotFound("User", id);
        }
        var revoked = await revocation.DisableAsync(user, ct);
        foreach (var group in await db.ScimGroups.Where(g => g.Members.Contains(user.Id)).ToListAsync(ct))
        {
            group.Members = [.. group.Members.Where(m => m != user.Id)];
        }
        db.ApiKeys.RemoveRange(await db.ApiKeys.Where(k => k.CreatedBy == user.Id).ToListAsync(ct));
        db.Users.Remove(user);
        db.AddAuditEvent(time, http, user.TenantId, "scim", "user.deleted", "user", user.Id.ToString(), details: new Dictionary<string, string> { ["by"] = "scim" });
        await db.SaveChangesAsync(ct);
        await revocation.AnnounceAsync(revoked, ct);
        return Results.NoContent();
    }

    /// <summary>Applies SCIM user attributes (userName, displayName, name, emails, externalId, active); unknown ones are ignored.</summary>
    private static async Task<IResult?> ApplyUserAsync(User user, JsonObject body, IdentityDbContext db, CancellationToken ct, bool partial = false)
    {
        var provider = await db.IdentityProviders.AsNoTracking().SingleOrDefaultAsync(ct);
        var attributes = body.ToDictionary(p => p.Key.ToLowerInvariant(), p => p.Value, StringComparer.Ordinal);

        var userName = Text(attributes.GetValueOrDefault("username"))
            ?? (attributes.GetValueOrDefault("emails") is JsonArray emails ? emails.OfType<JsonObject>().Select(e => Text(e["value"])).FirstOrDefault(v => v is not null) : null)
            ?? Text(attributes.GetValueOrDefault("emails[type eq \"work\"].value"));
        if (userName is not null || !partial)
        {
            userName = userName?.Trim();
            if (string.IsNullOrEmpty(userName) || userName.Length > 256 || !userName.Contains('@', StringComparison.Ordinal))
            {
                return Error(StatusCodes.Status400BadRequest, "userName must be the person's email address.", "invalidValue");
            }
            var domain = userName[(userName.LastIndexOf('@') + 1)..].ToLowerInvariant();
            if (provider is null || !provider.Domains.Contains(domain))
            {
                return Error(StatusCodes.Status400BadRequest,
                    provider is null ? "Set up the tenant's identity provider before provisioning." : $"{domain} is not one of the identity provider's domains.", "invalidValue");
            }
            var normalized = User.Normalize(userName);
            // Across tenants: an email is one account on the whole platform.
            if (await db.Users.AcrossTenants().AnyAsync(u => u.NormalizedEmail == normalized && u.Id != user.Id, ct))
            {
                return Error(StatusCodes.Status409Conflict, "An account with this userName exists.", "uniqueness");
            }
            user.Email = userName;
            user.NormalizedEmail = normalized;
        }

        var displayName = Text(attributes.GetValueOrDefault("displayname"))
            ?? Text(attributes.GetValueOrDefault("name.formatted"))
            ?? NameOf(attributes.GetValueOrDefault("name") as JsonObject);
        if (displayName is not null)
        {
            user.DisplayName = displayName.Trim()[..Math.Min(displayName.Trim().Length, 200)];
        }
        else if (string.IsNullOrEmpty(user.DisplayName))
        {
            user.DisplayName = user.Email;
        }

        if (attributes.TryGetValue("externalid", out var externalId))
        {
            var value = Text(externalId);
            if (value is { Length: > 256 })
            {
                return Error(StatusCodes.Status400BadRequest, "externalId has at most 256 characters.", "invalidValue");
            }
            user.ExternalId = value;
        }

        if (attributes.TryGetValue("active", out var active))
        {
            // Entra ID sends "False" as a string; others a boolean.
            var on = active?.GetValueKind() switch
            {
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                JsonValueKind.String when bool.TryParse(active.GetValue<string>(), out var parsed) => parsed,
                _ => (bool?)null,
            };
            if (on is null)
            {
                return Error(StatusCodes.Status400BadRequest, "active is true or false.", "invalidValue");
            }
            user.Disabled = !on.Value;
        }
        return null;
    }

    /// <summary>name.formatted, or given and family name together.</summary>
    private static string? NameOf(JsonObject? name)
    {
        if (name is null)
        {
            return null;
        }
        var joined = string.Join(' ', new[] { Text(name["givenName"]), Text(name["familyName"]) }.Where(n => n is not null));
        return Text(name["formatted"]) ?? (joined.Length > 0 ? joined : null);
    }

    private static JsonObject UserResource(User user, List<ScimGroup> groups, HttpContext http) => new()
    {
        ["schemas"] = new JsonArray(UserSchema),
        ["id"] = user.Id.ToString(),
        ["externalId"] = user.ExternalId,
        ["userName"] = user.Email,
        ["displayName"] = user.DisplayName,
        ["name"] = new JsonObject { ["formatted"] = user.DisplayName },
        ["emails"] = new JsonArray(new JsonObject { ["value"] = user.Email, ["type"] = "work", ["primary"] = true }),
        ["active"] = !user.Disabled,
        ["groups"] = new JsonArray([.. groups.Where(g => g.Members.Contains(user.Id)).Select(g => (JsonNode)new JsonObject { ["value"] = g.Id.ToString(), ["display"] = g.DisplayName })]),
        ["roles"] = new JsonArray([.. user.Roles.Select(r => (JsonNode)new JsonObject { ["value"] = r })]),
        ["meta"] = new JsonObject
        {
            ["resourceType"] = "User",
            ["created"] = user.CreatedAt.ToString("O", CultureInfo.InvariantCulture),
            ["location"] = $"{Base(http)}/Users/{user.Id}",
        },
    };

    // ---- Groups ----

    private static async Task<IResult> ListGroupsAsync(HttpContext http, IdentityDbContext db, string? filter, int? startIndex, int? count, string? excludedAttributes, CancellationToken ct)
    {
        IQueryable<ScimGroup> groups = db.ScimGroups.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(filter))
        {
            if (ParseFilter(filter) is not var (attribute, value))
            {
                return Error(StatusCodes.Status400BadRequest, "Filters supported: displayName, externalId or id with eq.", "invalidFilter");
            }
            switch (attribute)
            {
                case "displayname":
                    groups = groups.Where(g => g.DisplayName == value);
                    break;
                case "externalid":
                    groups = groups.Where(g => g.ExternalId == value);
                    break;
                case "id":
                    groups = Guid.TryParse(value, out var id) ? groups.Where(g => g.Id == id) : groups.Where(_ => false);
                    break;
                default:
                    return Error(StatusCodes.Status400BadRequest, $"Filtering on {attribute} is not supported.", "invalidFilter");
            }
        }
        var (skip, take) = Page(startIndex, count);
        var total = await groups.CountAsync(ct);
        var page = await groups.OrderBy(g => g.DisplayName).Skip(skip).Take(take).ToListAsync(ct);
        var names = await MemberNamesAsync(db, page.SelectMany(g => g.Members), ct);
        var withMembers = excludedAttributes?.Contains("members", StringComparison.OrdinalIgnoreCase) != true;
        return ListOf(total, skip, page.Select(g => GroupResource(g, names, withMembers, http)));
    }

    private static async Task<IResult> GetGroupAsync(string id, HttpContext http, IdentityDbContext db, CancellationToken ct)
    {
        var group = await FindGroupAsync(db, id, ct);
        return group is null ? NotFound("Group", id) : Scim(GroupResource(group, await MemberNamesAsync(db, group.Members, ct), true, http));
    }

    private static async Task<IResult> CreateGroupAsync(HttpContext http, IdentityDbContext db, TimeProvider time, CancellationToken ct)
    {
        if (await ReadAsync(http) is not { } body)
        {
            return Error(StatusCodes.Status400BadRequest, "The body is not a SCIM JSON object.", "invalidSyntax");
        }
        var now = time.GetUtcNow();
        var group = new ScimGroup { Id = Guid.CreateVersion7(), TenantId = TenantOf(http), DisplayName = "", CreatedAt = now, UpdatedAt = now };
        if (await ApplyGroupAsync(group, body, db, ct) is { } refusal)
        {
            return refusal;
        }
        db.ScimGroups.Add(group);
        return await SaveGroupAsync(group, [], http, db, time, "group.created", StatusCodes.Status201Created, ct);
    }

    private static async Task<IResult> ReplaceGroupAsync(string id, HttpContext http, IdentityDbContext db, TimeProvider time, CancellationToken ct)
    {
        if (await ReadAsync(http) is not { } body)
        {
            return Error(StatusCodes.Status400BadRequest, "The body is not a SCIM JSON object.", "invalidSyntax");
        }
        var group = await FindGroupAsync(db, id, ct);
        if (group is null)
        {
            return NotFound("Group", id);
        }
        var before = group.Members.ToList();
        body["members"] ??= new JsonArray();
        return await ApplyGroupAsync(group, body, db, ct) ?? await SaveGroupAsync(group, before, http, db, time, "group.updated", StatusCodes.Status200OK, ct);
    }

    private static async Task<IResult> PatchGroupAsync(string id, HttpContext http, IdentityDbContext db, TimeProvider time, CancellationToken ct)
    {
        if (await ReadAsync(http) is not { } body || body["Operations"] is not JsonArray operations)
        {
            return Error(StatusCodes.Status400BadRequest, "A PatchOp with Operations is required.", "invalidSyntax");
        }
        var group = await FindGroupAsync(db, id, ct);
        if (group is null)
        {
            return NotFound("Group", id);
        }
        var before = group.Members.ToList();
        var members = group.Members.ToList();
        foreach (var operation in operations.OfType<JsonObject>())
        {
            var op = operation["op"]?.GetValue<string>().ToLowerInvariant();
            var path = operation["path"]?.GetValue<string>();
            var value = operation["value"];
            if (path is null && value is JsonObject whole)
            {
                if (Text(whole["displayName"]) is { } renamed)
                {
                    group.DisplayName = renamed;
                }
                if (whole["members"] is JsonArray replaced)
                {
                    members = op == "add" ? [.. members.Union(MemberIds(replaced))] : MemberIds(replaced);
                }
                continue;
            }
            if (string.Equals(path, "displayName", StringComparison.OrdinalIgnoreCase) && Text(value) is { } name)
            {
                group.DisplayName = name;
            }
            else if (path is not null && MemberPath().Match(path) is { Success: true } one && op == "remove")
            {
                members.RemoveAll(m => m.ToString() == one.Groups[1].Value);
            }
            else if (string.Equals(path, "members", StringComparison.OrdinalIgnoreCase))
            {
                var given = value is JsonArray list ? MemberIds(list) : [];
                members = op switch
                {
                    "add" => [.. members.Union(given)],
                    "replace" => given,
                    "remove" => value is null ? [] : [.. members.Except(given)],
                    _ => members,
                };
            }
        }
        if (await CheckMembersAsync(members, db, ct) is { } refusal)
        {
            return refusal;
        }
        group.Members = [.. members.Distinct()];
        return await SaveGroupAsync(group, before, http, db, time, "group.updated", StatusCodes.Status200OK, ct);
    }

    private static async Task<IResult> DeleteGroupAsync(string id, HttpContext http, IdentityDbContext db, TimeProvider time, CancellationToken ct)
    {
        var group = await FindGroupAsync(db, id, ct);
        if (group is null)
        {
            return NotFound("Group", id);
        }
        db.ScimGroups.Remove(group);
        var before = group.Members.ToList();
        group.Members = [];
        await RecomputeRolesAsync(before, group, db, time, http, ct);
        db.AddAuditEvent(time, http, group.TenantId, "scim", "group.deleted", "group", group.Id.ToString(), details: new Dictionary<string, string> { ["name"] = group.DisplayName });
        await db.SaveChangesAsync(ct);
        return Results.NoContent();
    }

    private static async Task<IResult?> ApplyGroupAsync(ScimGroup group, JsonObject body, IdentityDbContext db, CancellationToken ct)
    {
        var name = Text(body["displayName"]) ?? (group.DisplayName.Length > 0 ? group.DisplayName : null);
        if (string.IsNullOrWhiteSpace(name) || name.Length > 256)
        {
            return Error(StatusCodes.Status400BadRequest, "displayName (at most 256 characters) is required.", "invalidValue");
        }
        group.DisplayName = name.Trim();
        if (body.ContainsKey("externalId"))
        {
            group.ExternalId = Text(body["externalId"]) is { } external ? external[..Math.Min(external.Length, 256)] : null;
        }
        if (body["members"] is JsonArray members)
        {
            var ids = MemberIds(members);
            if (await CheckMembersAsync(ids, db, ct) is { } refusal)
            {
                return refusal;
            }
            group.Members = [.. ids.Distinct()];
        }
        return null;
    }

    private static async Task<IResult> SaveGroupAsync(
        ScimGroup group, List<Guid> before, HttpContext http, IdentityDbContext db, TimeProvider time, string action, int status, CancellationToken ct)
    {
        group.UpdatedAt = time.GetUtcNow();
        await RecomputeRolesAsync(before.Union(group.Members), group, db, time, http, ct);
        db.AddAuditEvent(time, http, group.TenantId, "scim", action, "group", group.Id.ToString(), details: new Dictionary<string, string>
        {
            ["name"] = group.DisplayName,
            ["members"] = group.Members.Count.ToString(CultureInfo.InvariantCulture),
        });
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            return Error(StatusCodes.Status409Conflict, "A group with this displayName exists.", "uniqueness");
        }
        return Scim(GroupResource(group, await MemberNamesAsync(db, group.Members, ct), true, http), status);
    }

    /// <summary>
    /// Each affected person's roles become those the identity provider maps their groups to (none when
    /// no group of theirs is mapped), so a membership the provider changes changes what they may do.
    /// </summary>
    private static async Task RecomputeRolesAsync(IEnumerable<Guid> affected, ScimGroup changed, IdentityDbContext db, TimeProvider time, HttpContext http, CancellationToken ct)
    {
        var ids = affected.Distinct().ToList();
        if (ids.Count == 0)
        {
            return;
        }
        var provider = await db.IdentityProviders.AsNoTracking().SingleOrDefaultAsync(ct);
        var groups = (await db.ScimGroups.Where(g => g.Id != changed.Id).ToListAsync(ct)).Append(changed).Where(g => db.Entry(g).State != EntityState.Deleted).ToList();
        foreach (var user in await db.Users.Where(u => ids.Contains(u.Id)).ToListAsync(ct))
        {
            var names = groups.Where(g => g.Members.Contains(user.Id)).Select(g => g.DisplayName);
            var roles = provider?.RolesFor(names) ?? [];
            if (!user.Roles.Order(StringComparer.Ordinal).SequenceEqual(roles))
            {
                user.Roles = roles;
                db.AddAuditEvent(time, http, user.TenantId, "scim", "user.roles_changed", "user", user.Id.ToString(),
                    details: new Dictionary<string, string> { ["roles"] = string.Join(' ', roles), ["by"] = "scim groups" });
            }
        }
    }

    private static async Task<IResult?> CheckMembersAsync(List<Guid> members, IdentityDbContext db, CancellationToken ct)
    {
        var distinct = members.Distinct().ToList();
        var known = await db.Users.CountAsync(u => distinct.Contains(u.Id), ct);
        return known == distinct.Count ? null : Error(StatusCodes.Status400BadRequest, "A member is not a user of this tenant.", "invalidValue");
    }

    private static List<Guid> MemberIds(JsonArray members) =>
        [.. members.OfType<JsonObject>().Select(m => Guid.TryParse(Text(m["value"]), out var id) ? id : Guid.Empty)];

    private static async Task<Dictionary<Guid, string>> MemberNamesAsync(IdentityDbContext db, IEnumerable<Guid> members, CancellationToken ct)
    {
        var ids = members.Distinct().ToList();
        return await db.Users.AsNoTracking().Where(u => ids.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.DisplayName, ct);
    }

    private static JsonObject GroupResource(ScimGroup group, Dictionary<Guid, string> names, bool withMembers, HttpContext http)
    {
        var resource = new JsonObject
        {
            ["schemas"] = new JsonArray(GroupSchema),
            ["id"] = group.Id.ToString(),
            ["externalId"] = group.ExternalId,
            ["displayName"] = group.DisplayName,
            ["meta"] = new JsonObject
            {
                ["resourceType"] = "Group",
                ["created"] = group.CreatedAt.ToString("O", CultureInfo.InvariantCulture),
                ["lastModified"] = group.UpdatedAt.ToString("O", CultureInfo.InvariantCulture),
                ["location"] = $"{Base(http)}/Groups/{group.Id}",
            },
        };
        if (withMembers)
        {
            resource["members"] = new JsonArray([.. group.Members.Select(m => (JsonNode)new JsonObject { ["value"] = m.ToString(), ["display"] = names.GetValueOrDefault(m) })]);
        }
        return resource;
    }

    // ---- plumbing ----

    /// <summary>The tenant's user a SCIM path names; null for another tenant's or an id that is not one.</summary>
    private static async Task<User?> FindUserAsync(IdentityDbContext db, string id, CancellationToken ct) =>
        Guid.TryParse(id, out var userId) ? await db.Users.SingleOrDefaultAsync(u => u.Id == userId, ct) : null;

    private static async Task<ScimGroup?> FindGroupAsync(IdentityDbContext db, string id, CancellationToken ct) =>
        Guid.TryParse(id, out var groupId) ? await db.ScimGroups.SingleOrDefaultAsync(g => g.Id == groupId, ct) : null;

    [GeneratedRegex("""^\s*([A-Za-z.]+)\s+eq\s+"((?:[^"\\]|\\.)*)"\s*$""", RegexOptions.IgnoreCase)]
    private static partial Regex FilterPattern();

    [GeneratedRegex("""^members\[\s*value\s+eq\s+"([^"]+)"\s*\]$""", RegexOptions.IgnoreCase)]
    private static partial Regex MemberPath();

    private static (string Attribute, string Value)? ParseFilter(string filter) =>
        FilterPattern().Match(filter) is { Success: true } match
            ? (match.Groups[1].Value.ToLowerInvariant(), match.Groups[2].Value.Replace("\\\"", "\"", StringComparison.Ordinal))
            : null;

    private static (int Skip, int Take) Page(int? startIndex, int? count) =>
        (Math.Max((startIndex ?? 1) - 1, 0), Math.Clamp(count ?? 100, 0, MaxPage));

    private static string TenantOf(HttpContext http) => http.RequestServices.GetRequiredService<TenantScope>().TenantId!;

    private static string Base(HttpContext http) => $"{http.Request.Scheme}://{http.Request.Host}{http.Request.PathBase}/scim/v2";

    private static string? Text(JsonNode? node) => node?.GetValueKind() == JsonValueKind.String ? node.GetValue<string>() : null;

    private static async Task<JsonObject?> ReadAsync(HttpContext http)
    {
        try
        {
            return await JsonNode.ParseAsync(http.Request.Body, cancellationToken: http.RequestAborted) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static IResult ListOf(int total, int skip, IEnumerable<JsonObject> resources)
    {
        var items = new JsonArray([.. resources]);
        return Scim(new JsonObject
        {
            ["schemas"] = new JsonArray(ListSchema),
            ["totalResults"] = total,
            ["startIndex"] = skip + 1,
            ["itemsPerPage"] = items.Count,
            ["Resources"] = items,
        });
    }

    private static IResult Scim(JsonObject body, int status = StatusCodes.Status200OK) =>
        Results.Text(body.ToJsonString(), ContentType, statusCode: status);

    private static IResult NotFound(string kind, string id) => Error(StatusCodes.Status404NotFound, $"{kind} {id} not found.");

    private static IResult Error(int status, string detail, string? scimType = null)
    {
        var body = new JsonObject { ["schemas"] = new JsonArray(ErrorSchema), ["status"] = status.ToString(CultureInfo.InvariantCulture), ["detail"] = detail };
        if (scimType is not null)
        {
            body["scimType"] = scimType;
        }
        return Scim(body, status);
    }
}

/// <summary>SCIM bearer tokens: <c>scim_</c> + 40 random base62 characters; stored only as SHA-256.</summary>
public static class ScimTokens
{
    public const string Prefix = "scim_";

    public static string Generate() => Prefix + System.Security.Cryptography.RandomNumberGenerator.GetString("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", 40);

    public static bool LooksLikeToken(string? token) => token is { Length: 45 } && token.StartsWith(Prefix, StringComparison.Ordinal);
}
