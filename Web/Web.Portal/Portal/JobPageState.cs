namespace Caas.Web.Portal.Portal;

/// <summary>
/// What a job's page showed when it was prerendered, handed to its interactive render through
/// <see cref="Microsoft.AspNetCore.Components.PersistentComponentState"/> so that it starts from the same data instead
/// of "Loading job…" while it reads everything again. Null <see cref="Job"/>: the job was not found (or not visible).
/// </summary>
public sealed record JobPageState(
    string JobId,
    JobView? Job,
    Page<TimelineEntry>? Timeline,
    IReadOnlyList<RecoveryIncident> Incidents,
    Page<AlertView> Alerts,
    IReadOnlyList<SilenceView> Silences,
    IReadOnlyList<JobSamplePoint> Samples,
    IReadOnlyList<NodeStatus> Nodes,
    IReadOnlyList<CheckpointCatalogEntry> Checkpoints)
{
    /// <summary>The key it is kept under between the prerender and the interactive render of the same request.</summary>
    public const string Key = "caas-job-page";
}
