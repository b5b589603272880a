namespace DocAIche.ServiceDefaults.Authentication;

/// <summary>The roles a token can carry. Tenant roles come from a user's membership; <see cref="Operator"/> is platform-wide.</summary>
public static class DocAIcheRoles
{
    /// <summary>Everything in the tenant, including its owners.</summary>
    public const string Owner = "owner";

    /// <summary>Users, clients, API keys and settings of the tenant.</summary>
    public const string Admin = "admin";

    /// <summary>Manages sources and documents.</summary>
    public const string Editor = "editor";

    /// <summary>Searches and reads.</summary>
    public const string Viewer = "viewer";

    /// <summary>Reads the audit trail.</summary>
    public const string Auditor = "auditor";

    /// <summary>Runs the platform: manages tenants.</summary>
    public const string Operator = "operator";

    public static readonly IReadOnlyList<string> TenantRoles = [Owner, Admin, Editor, Viewer, Auditor];

    /// <summary>The roles that read documentation (libraries, sources, jobs, documents, search); auditors read the audit trail only.</summary>
    public static readonly IReadOnlyList<string> ReaderRoles = [Owner, Admin, Editor, Viewer];

    public static bool IsTenantRole(string role) => TenantRoles.Contains(role);
}

/// <summary>Claim types in DocAIche access tokens.</summary>
public static class DocAIcheClaims
{
    public const string Subject = "sub";
    public const string Tenant = "tenant";
    public const string Role = "role";
    public const string Scope = "scope";
}

/// <summary>Authorization policies, one per kind of access; endpoints name the one they need.</summary>
public static class DocAIchePolicies
{
    /// <summary>Search and read documents: viewer, editor, admin or owner.</summary>
    public const string Read = "docs.read";

    /// <summary>Change sources and documents: editor, admin or owner.</summary>
    public const string Edit = "docs.edit";

    /// <summary>Manage the tenant's users, clients and keys: admin or owner.</summary>
    public const string Administer = "tenant.admin";

    /// <summary>Read the audit trail: auditor, admin or owner.</summary>
    public const string Audit = "audit.read";

    /// <summary>Manage tenants: operator.</summary>
    public const string Operate = "platform.operate";

    /// <summary>Any authenticated caller of a tenant, whatever its role (their own profile).</summary>
    public const string TenantMember = "tenant.member";

    /// <summary>The API scope every DocAIche access token carries.</summary>
    public const string ApiScope = "docaiche.api";

    /// <summary>The audience of DocAIche access tokens.</summary>
    public const string ApiAudience = "docaiche-api";
}
