using System.Diagnostics;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Caas.Monitoring.Grains.Nodes;

/// <summary>
/// The platform hears its agents while messages come in through this host's bus. It publishes a <see cref="HearingProbe"/>
/// to a queue of its own twice a second and listens for it: agent heartbeats take the same way in, so when the probes stop
/// arriving (a broker restart, this host's link) the heartbeats have stopped for the same reason, and no node is to blame.
/// The bus's own health report was tried first and lags a broker outage by seconds, longer than a short node timeout.
/// </summary>
public sealed class BusHearing(
    IBus bus,
    [FromKeyedServices(MonitoringClock.Key)] TimeProvider time,
    ILogger<BusHearing> logger) : BackgroundService, IPlatformHearing
{
    public static readonly TimeSpan ProbeInterval = TimeSpan.FromMilliseconds(500);
    /// <summary>Three probes missed: well inside the shortest node timeout in use (three 1 s heartbeats).</summary>
    public static readonly TimeSpan DeafAfter = 3 * ProbeInterval;
    /// <summary>Agents were seen taking longer than a 3 s node timeout to reconnect after a broker restart of about ten seconds (chaos tests).</summary>
    public static readonly TimeSpan MaxReconnectAllowance = TimeSpan.FromSeconds(30);

    private readonly Lock _lock = new();
    /// <summary>
    /// Hearing from the start: until the bus first comes up there is nothing to hear, and the directory gives every node it
    /// knows a fresh timeout when it starts anyway. Only an outage after that makes the platform deaf.
    /// </summary>
    private DateTimeOffset _since = DateTimeOffset.MinValue;
    /// <summary>Real time (not the monitoring clock, which tests move by hand) of the last probe heard; null before the first.</summary>
    private long? _lastHeardAt;
    private TimeSpan _reconnectAllowance;
    private bool _deafLogged;

    public Guid HostId { get; } = Guid.NewGuid();

    public TimeSpan ReconnectAllowance
    {
        get
        {
            lock (_lock)
                return _reconnectAllowance;
        }
    }

    public DateTimeOffset? HearingSince
    {
        get
        {
            lock (_lock)
                return _lastHeardAt is { } last && Stopwatch.GetElapsedTime(last) > DeafAfter ? null : _since;
        }
    }

    /// <summary>Called by <see cref="HearingProbeConsumer"/> for every probe that came back; only this host's own count.</summary>
    public void Heard(HearingProbe probe)
    {
        if (probe.HostId != HostId)
            return;
        lock (_lock)
        {
            if (_lastHeardAt is { } last && Stopwatch.GetElapsedTime(last) is var outage && outage > DeafAfter)
            {
                _since = time.GetUtcNow();
                _reconnectAllowance = outage < MaxReconnectAllowance ? outage : MaxReconnectAllowance;
                _deafLogged = false;
                logger.LogInformation("Messages come in through the bus again after {Outage}: node silence counts again {Allowance} after {At}",
                    outage, _reconnectAllowance, _since);
            }
            _lastHeardAt = Stopwatch.GetTimestamp();
        }
    }

    /// <summary>True once per outage, the first time it is noticed: the warning is logged once, not every probe.</summary>
    private bool BecameDeaf()
    {
        lock (_lock)
        {
            if (_deafLogged || !(_lastHeardAt is { } last && Stopwatch.GetElapsedTime(last) > DeafAfter))
                return false;
            _deafLogged = true;
            return true;
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                timeout.CancelAfter(ProbeInterval);
                await bus.Publish(new HearingProbe(HostId, time.GetUtcNow()), timeout.Token);
            }
            catch (Exception error) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogDebug(error, "Publishing a hearing probe failed");
            }
            if (BecameDeaf())
            {
                logger.LogWarning("No message came in through the bus for {DeafAfter}: no node is declared lost until they do again", DeafAfter);
            }
            try
            {
                await Task.Delay(ProbeInterval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
