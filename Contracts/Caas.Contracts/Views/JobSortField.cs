namespace Caas.Contracts.Views;

/// <summary>What the job list can be ordered by.</summary>
public enum JobSortField
{
    Submitted = 0,
    Name = 1,
    Status = 2,
    Node = 3,
    Progress = 4,
    LastHeartbeat = 5,
}
