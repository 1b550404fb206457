namespace Caas.Web.Portal.Api;

/// <summary>Answer of POST /api/v1/nodes/{id}/enroll: the credential, shown this once.</summary>
public sealed record EnrolledAgent(string NodeId, DateTimeOffset EnrolledAt, string Credential);
