namespace Caas.Capture.Engine.Distributed;

/// <summary>One phase of a coordinated protocol run on every rank in parallel; failures of all ranks are gathered into one.</summary>
internal static class RankPhase
{
    public static async Task<IReadOnlyList<T>> RunAsync<TRank, T>(IReadOnlyList<TRank> ranks, Func<TRank, int> rankOf, string phase, Func<TRank, Task<T>> step)
    {
        var running = ranks.Select(async r =>
        {
            try
            {
                return (Rank: rankOf(r), Value: await step(r), Error: (string?)null);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                return (Rank: rankOf(r), Value: default(T)!, Error: e.Message);
            }
        }).ToList();
        var outcomes = await Task.WhenAll(running);
        var failed = outcomes.Where(o => o.Error is not null).OrderBy(o => o.Rank).ToList();
        if (failed.Count > 0)
            throw new DistributedCheckpointFailedException(
                $"{phase} failed in {string.Join("; ", failed.Select(f => $"rank {f.Rank}: {f.Error}"))}", [.. failed.Select(f => f.Rank)]);
        return [.. outcomes.OrderBy(o => o.Rank).Select(o => o.Value)];
    }
}
