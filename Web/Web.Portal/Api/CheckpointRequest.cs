using System.Text.Json.Serialization;

namespace Caas.Web.Portal.Api;

/// <summary>Optional body of POST /jobs/{id}/checkpoint; without it the job keeps running.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record CheckpointRequest(bool LeaveRunning = true);
