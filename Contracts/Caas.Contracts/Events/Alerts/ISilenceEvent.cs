namespace Caas.Contracts.Events.Alerts;

/// <summary>A change of one silence, stored in its own stream (<c>silence-&lt;SilenceId&gt;</c>).</summary>
public interface ISilenceEvent
{
    string SilenceId { get; }
    DateTimeOffset At { get; }
}
