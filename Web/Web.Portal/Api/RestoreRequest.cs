using System.Text.Json.Serialization;

namespace Caas.Web.Portal.Api;

/// <summary>Optional body of POST /jobs/{id}/restore; without a sequence the newest checkpoint is used.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record RestoreRequest(int? Sequence = null);
