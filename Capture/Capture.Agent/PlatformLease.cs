namespace Caas.Capture.Agent;

/// <summary>
/// When this agent last knew the platform could hear it: the start of the newest heartbeat the bus accepted. The
/// platform's last sight of the node is no earlier, so a lease counted from here expires before the node-lost timeout
/// the platform counts from its own sight does.
/// </summary>
public sealed class PlatformLease(TimeProvider time)
{
    private readonly object _gate = new();
    private DateTimeOffset _renewedAt = time.GetUtcNow();

    public DateTimeOffset RenewedAt
    {
        get { lock (_gate) return _renewedAt; }
    }

    /// <param name="sentAt">When the heartbeat the bus just accepted was handed to it.</param>
    public void Renew(DateTimeOffset sentAt)
    {
        lock (_gate)
        {
            if (sentAt > _renewedAt)
                _renewedAt = sentAt;
        }
    }

    public bool HasExpired(TimeSpan lease) => time.GetUtcNow() - RenewedAt >= lease;
}
