namespace Caas.Capture.Agent.Jobs;

/// <summary>
/// Asks the heartbeat loop for a sample before its next tick: a restored job's first progress is
/// what a recovery waits for, and it should not wait up to a whole interval more for it.
/// </summary>
public sealed class SampleRequests
{
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes at the next <see cref="Request"/> after it was read.</summary>
    public Task Next => Volatile.Read(ref _next).Task;

    public void Request() =>
        Interlocked.Exchange(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
}
