namespace Caas.Web.Portal.Security;

/// <summary>A project and the users in it.</summary>
public sealed record ProjectInfo(string Name, DateTimeOffset CreatedAt, IReadOnlyList<string> Members);
