namespace Caas.Web.Portal.Security;

/// <summary>A node's agent credential as admins see it: never the secret, which is shown once when enrolling.</summary>
public sealed record AgentEnrollment(string NodeId, DateTimeOffset EnrolledAt, DateTimeOffset? RevokedAt);
