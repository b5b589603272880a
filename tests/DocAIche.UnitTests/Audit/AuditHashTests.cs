using DocAIche.Audit.Model;
using DocAIche.Audit.Trail;

namespace DocAIche.UnitTests.Audit;

public sealed class AuditHashTests
{
    private static AuditRecord Record() => new()
    {
        TenantId = "acme",
        Sequence = 7,
        OccurredAt = new DateTimeOffset(2026, 11, 26, 10, 0, 0, TimeSpan.Zero).AddTicks(1234567),
        RecordedAt = new DateTimeOffset(2026, 11, 26, 10, 0, 1, TimeSpan.Zero),
        ActorType = "service",
        Actor = "service:documents",
        Action = "library.created",
        TargetType = "library",
        TargetId = "7a0c",
        Outcome = "success",
        TraceId = "0af7651916cd43dd8448eb211c80319c",
        MessageId = Guid.Parse("0199e5a8-0000-7000-8000-000000000001"),
        PreviousHash = AuditHash.Genesis,
        Hash = "",
    };

    [Fact]
    public void The_hash_is_hex_sha256_and_stable()
    {
        var first = AuditHash.Compute(Record());
        Assert.Equal(64, first.Length);
        Assert.Matches("^[0-9a-f]{64}$", first);
        Assert.Equal(first, AuditHash.Compute(Record()));
    }

    public static TheoryData<string> Fields() => new()
    {
        "TenantId", "Sequence", "OccurredAt", "RecordedAt", "ActorType", "Actor", "ActorIndex", "ActorKeyId", "ActorSealed", "Action",
        "TargetType", "TargetId", "TargetIndex", "TargetKeyId", "TargetSealed", "Outcome", "TraceId", "Details", "MessageId", "PreviousHash",
    };

    [Theory]
    [MemberData(nameof(Fields))]
    public void Changing_any_stored_field_changes_the_hash(string field)
    {
        var original = AuditHash.Compute(Record());
        var changed = Record();
        switch (field)
        {
            case "TenantId": changed.TenantId = "other"; break;
            case "Sequence": changed.Sequence = 8; break;
            case "OccurredAt": changed.OccurredAt = changed.OccurredAt.AddMicroseconds(1); break;
            case "RecordedAt": changed.RecordedAt = changed.RecordedAt.AddSeconds(1); break;
            case "ActorType": changed.ActorType = "user"; break;
            case "Actor": changed.Actor = "service:search"; break;
            case "ActorIndex": changed.ActorIndex = "ab"; break;
            case "ActorKeyId": changed.ActorKeyId = Guid.NewGuid(); break;
            case "ActorSealed": changed.ActorSealed = "sealed"; break;
            case "Action": changed.Action = "library.deleted"; break;
            case "TargetType": changed.TargetType = "source"; break;
            case "TargetId": changed.TargetId = "7a0d"; break;
            case "TargetIndex": changed.TargetIndex = "cd"; break;
            case "TargetKeyId": changed.TargetKeyId = Guid.NewGuid(); break;
            case "TargetSealed": changed.TargetSealed = "sealed"; break;
            case "Outcome": changed.Outcome = "failure"; break;
            case "TraceId": changed.TraceId = null; break;
            case "Details": changed.Details = "{}"; break;
            case "MessageId": changed.MessageId = Guid.NewGuid(); break;
            case "PreviousHash": changed.PreviousHash = new string('1', 64); break;
        }
        Assert.NotEqual(original, AuditHash.Compute(changed));
    }

    [Fact]
    public void Times_hash_as_postgresql_stores_them_to_the_microsecond()
    {
        var precise = Record();
        var stored = Record();
        stored.OccurredAt = AuditHash.Truncate(stored.OccurredAt);
        Assert.Equal(AuditHash.Compute(precise), AuditHash.Compute(stored));
        Assert.Equal(0, stored.OccurredAt.UtcTicks % 10);
    }

    [Fact]
    public void A_checkpoint_signature_depends_on_the_key_and_every_field()
    {
        var key = "0123456789abcdef0123456789abcdef"u8.ToArray();
        var checkpoint = new AuditCheckpoint
        {
            TenantId = "acme", ThroughSequence = 10, LastHash = new string('a', 64), PurgedRecords = 10,
            PurgedAt = DateTimeOffset.UnixEpoch, Signature = "",
        };
        var signature = AuditHash.Sign(checkpoint, key);
        Assert.NotEqual(signature, AuditHash.Sign(checkpoint, "another key of thirty-two chars!"u8.ToArray()));
        checkpoint.ThroughSequence = 11;
        Assert.NotEqual(signature, AuditHash.Sign(checkpoint, key));
    }
}
