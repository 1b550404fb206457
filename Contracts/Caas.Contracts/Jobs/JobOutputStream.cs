namespace Caas.Contracts.Jobs;

/// <summary>Which of a job's two output files: the agent keeps its stdout and its stderr apart (stdout.log, stderr.log).</summary>
public enum JobOutputStream
{
    Stdout = 0,
    Stderr = 1,
}
