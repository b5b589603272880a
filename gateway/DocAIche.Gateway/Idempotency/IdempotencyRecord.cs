namespace DocAIche.Gateway.Idempotency;

/// <summary>
/// What is kept under an idempotency key: the request's fingerprint, the attempt that holds the key,
/// and once the write has been answered, the answer (status, the headers that matter, the body).
/// </summary>
public sealed record IdempotencyRecord(
    string Fingerprint,
    string Attempt,
    bool Completed,
    int Status = 0,
    string? ContentType = null,
    string? Location = null,
    byte[]? Body = null,
    bool BodyKept = true);
