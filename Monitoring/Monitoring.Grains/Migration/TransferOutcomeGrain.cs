namespace Caas.Monitoring.Grains.Migration;

public sealed class TransferOutcomeGrain : Grain, ITransferOutcomeGrain
{
    private TransferEnd? _end;

    // The first report counts; a redelivered one changes nothing.
    public Task Report(string? problem)
    {
        _end ??= new TransferEnd(problem);
        return Task.CompletedTask;
    }

    public Task<TransferEnd?> Outcome() => Task.FromResult(_end);
}
