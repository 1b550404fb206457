using Microsoft.Extensions.DependencyInjection;

namespace Caas.Monitoring.Grains.Swap;

/// <inheritdoc cref="ISwapBoardGrain"/>
public sealed class SwapBoardGrain([FromKeyedServices(MonitoringClock.Key)] TimeProvider time) : Grain, ISwapBoardGrain
{
    /// <summary>How often a job grain reports again without a change; an entry not heard of for <see cref="Expiry"/> is dropped.</summary>
    public static readonly TimeSpan Refresh = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Expiry = Refresh * 2.5;
    /// <summary>A swap-out whose checkpoint never ends must not hold back swap-ins forever.</summary>
    private static readonly TimeSpan ReservationExpiry = JobGrain.CheckpointAnswerTimeout;

    private readonly Dictionary<string, (SwapCandidate Job, string? Pool, DateTimeOffset Seen)> _running = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (SwappedOutJob Job, string? SpecPool, DateTimeOffset Seen)> _waiting = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (SwapCandidate Victim, string? Pool, DateTimeOffset Until)> _reservations = new(StringComparer.Ordinal);

    private DateTimeOffset Now => time.GetUtcNow();

    public Task Running(SwapCandidate job, string? pool)
    {
        ArgumentNullException.ThrowIfNull(job);
        _waiting.Remove(job.JobId);
        // A victim already chosen stays off the board until it is swapped out (or its checkpoint failed and the reservation lapsed).
        if (!_reservations.Values.Any(r => r.Victim.JobId == job.JobId))
            _running[job.JobId] = (job, pool, Now);
        return Task.CompletedTask;
    }

    public Task Waiting(SwappedOutJob job, string? specPool)
    {
        ArgumentNullException.ThrowIfNull(job);
        _running.Remove(job.JobId);
        _waiting[job.JobId] = (job, specPool, Now);
        return Task.CompletedTask;
    }

    public Task Left(string jobId)
    {
        _running.Remove(jobId);
        _waiting.Remove(jobId);
        _reservations.Remove(jobId);
        return Task.CompletedTask;
    }

    public Task<SwapChoice> ChooseVictim(string jobId, int priority, string? pool)
    {
        Forget();
        if (_reservations.TryGetValue(jobId, out var reserved))
            return Task.FromResult(SwapChoice.Of(reserved.Victim));
        var candidates = _running.Values.Where(r => pool is null || r.Pool == pool).Select(r => r.Job);
        var choice = SwapPlanner.ChooseVictim(priority, candidates, Now, SwapPlanner.DefaultCooldown);
        if (choice.Victim is { } victim)
        {
            _running.Remove(victim.JobId);
            _reservations[jobId] = (victim, pool, Now + ReservationExpiry);
        }
        return Task.FromResult(choice);
    }

    public Task Placed(string jobId)
    {
        _reservations.Remove(jobId);
        return Task.CompletedTask;
    }

    public Task<bool> IsNextToSwapIn(string jobId, string? specPool)
    {
        Forget();
        if (!_waiting.ContainsKey(jobId))
            return Task.FromResult(false);
        if (_reservations.Values.Any(r => specPool is null || r.Pool is null || r.Pool == specPool))
            return Task.FromResult(false);
        var line = SwapPlanner.SwapInOrder(_waiting.Values.Where(w => w.SpecPool == specPool).Select(w => w.Job), Now);
        return Task.FromResult(line.Count > 0 && line[0].JobId == jobId);
    }

    private void Forget()
    {
        var now = Now;
        foreach (var id in _running.Where(r => now - r.Value.Seen > Expiry).Select(r => r.Key).ToArray())
            _running.Remove(id);
        foreach (var id in _waiting.Where(w => now - w.Value.Seen > Expiry).Select(w => w.Key).ToArray())
            _waiting.Remove(id);
        foreach (var id in _reservations.Where(r => now > r.Value.Until).Select(r => r.Key).ToArray())
            _reservations.Remove(id);
    }
}
