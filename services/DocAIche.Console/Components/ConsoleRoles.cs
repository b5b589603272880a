using DocAIche.ServiceDefaults.Authentication;

namespace DocAIche.Console.Components;

/// <summary>Who sees which part of the console: the same roles the API asks for, so nothing offered is refused for the role.</summary>
public static class ConsoleRoles
{
    /// <summary>Read documentation: libraries, sources, jobs, documents, search.</summary>
    public const string Readers = $"{DocAIcheRoles.Owner},{DocAIcheRoles.Admin},{DocAIcheRoles.Editor},{DocAIcheRoles.Viewer}";

    /// <summary>Change libraries and sources.</summary>
    public const string Editors = $"{DocAIcheRoles.Owner},{DocAIcheRoles.Admin},{DocAIcheRoles.Editor}";

    /// <summary>Manage people, clients and retention.</summary>
    public const string Admins = $"{DocAIcheRoles.Owner},{DocAIcheRoles.Admin}";

    /// <summary>Read the audit trail and security alerts.</summary>
    public const string Auditors = $"{DocAIcheRoles.Owner},{DocAIcheRoles.Admin},{DocAIcheRoles.Auditor}";

    /// <summary>See the health of every service.</summary>
    public const string Operators = $"{DocAIcheRoles.Owner},{DocAIcheRoles.Admin},{DocAIcheRoles.Operator}";
}
