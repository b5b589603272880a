using System.ComponentModel.DataAnnotations;

namespace DocAIche.Audit.Trail;

/// <summary>Section <c>Audit</c>: the keys of the trail. Both come from deployment secrets, never from the database.</summary>
public sealed class AuditOptions
{
    public const string Section = "Audit";

    /// <summary>Encrypts the per-subject keys at rest (32 or more characters).</summary>
    [Required, MinLength(32)]
    public string SubjectKeyProtection { get; set; } = "";

    /// <summary>Signs retention checkpoints (32 or more characters).</summary>
    [Required, MinLength(32)]
    public string CheckpointKey { get; set; } = "";

    /// <summary>The database role the service runs as: it may insert and read audit records, never change or delete them.</summary>
    [Required]
    public RuntimeRoleOptions RuntimeRole { get; set; } = new();
}

/// <summary>The append-only login; the owner login in <c>ConnectionStrings:auditdb</c> only migrates and grants.</summary>
public sealed class RuntimeRoleOptions
{
    [Required, RegularExpression("^[a-z_][a-z0-9_]{0,62}$")]
    public string Name { get; set; } = "docaiche_audit_writer";

    /// <summary>Its password; the service sets it on the role at start-up when it migrates.</summary>
    [Required, MinLength(16)]
    public string Password { get; set; } = "";
}
