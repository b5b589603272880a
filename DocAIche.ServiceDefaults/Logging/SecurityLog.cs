using Microsoft.Extensions.Logging;

namespace DocAIche.ServiceDefaults.Logging;

/// <summary>Security-relevant log lines; their personal fields are classified, so they are redacted.</summary>
public static partial class SecurityLog
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "Sign-in failed for {Email} from {ClientAddress} ({Reason})")]
    public static partial void SignInFailed(ILogger logger, [PersonalData] string email, [PersonalData] string? clientAddress, string reason);
}
