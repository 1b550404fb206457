namespace Caas.Web.Portal.Security;

/// <summary>The outcome of presenting a token: its owner and id, or why it is not accepted (for the 401's detail).</summary>
public sealed record ApiTokenCheck(UserAccount? User, string? Problem, string? TokenId = null);
