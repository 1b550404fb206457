namespace Caas.Capture.Agent.Transfer;

/// <summary>The result of checking a presented token: its claims when it holds, else the HTTP status (401 or 403) and why.</summary>
public sealed record TokenVerdict(TransferToken? Token, int Status, string? Problem)
{
    public static TokenVerdict Valid(TransferToken token) => new(token, 200, null);
    public static TokenVerdict Unauthenticated(string problem) => new(null, 401, problem);
    public static TokenVerdict Forbidden(string problem) => new(null, 403, problem);
}
