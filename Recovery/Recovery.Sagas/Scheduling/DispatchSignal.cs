namespace Caas.Recovery.Sagas.Scheduling;

/// <summary>
/// Wakes the dispatchers of this process when a message was scheduled here, so that one due sooner
/// than their next poll is not left waiting. Messages scheduled by other processes are found by polling.
/// </summary>
public sealed class DispatchSignal
{
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes at the next <see cref="Notify"/>; take it before looking at the store, so a notification in between is not lost.</summary>
    public Task NextAsync() => Volatile.Read(ref _next).Task;

    public void Notify()
    {
        var current = Interlocked.Exchange(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        current.TrySetResult();
    }
}
