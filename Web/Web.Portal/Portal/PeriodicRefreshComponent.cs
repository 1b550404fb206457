using Microsoft.AspNetCore.Components;

namespace Caas.Web.Portal.Portal;

/// <summary>
/// A component that reloads its data every second once it is interactive, re-rendering in place (no flicker:
/// the old data stays on screen until the new data has arrived). The timer comes from <see cref="TimeProvider"/>
/// so tests can drive it.
/// </summary>
public abstract class PeriodicRefreshComponent : ComponentBase, IDisposable
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    private ITimer? timer;
    private int refreshing;
    private bool disposed;

    [Inject] protected TimeProvider Clock { get; set; } = default!;

    /// <summary>Why the last refresh failed, shown by pages; null when the data is current.</summary>
    protected string? RefreshProblem { get; private set; }

    protected DateTimeOffset Now => Clock.GetUtcNow();

    protected abstract Task RefreshAsync();

    // Pages load on every navigation to them (also when only a route parameter changed).
    protected override async Task OnParametersSetAsync() => await RefreshGuardedAsync();

    protected override void OnAfterRender(bool firstRender)
    {
        // Prerendering never calls OnAfterRender, so only a live circuit starts the timer.
        if (firstRender && !disposed)
            timer = Clock.CreateTimer(_ => _ = TickAsync(), null, Interval, Interval);
    }

    private async Task TickAsync()
    {
        // A slow read side must not pile up refreshes: skip a tick while the previous one runs.
        if (Interlocked.Exchange(ref refreshing, 1) == 1)
            return;
        try
        {
            await InvokeAsync(async () =>
            {
                if (disposed)
                    return;
                await RefreshGuardedAsync();
                StateHasChanged();
            });
        }
        catch (ObjectDisposedException)
        {
            // The circuit went away between two ticks.
        }
        finally
        {
            Volatile.Write(ref refreshing, 0);
        }
    }

    protected async Task RefreshGuardedAsync()
    {
        try
        {
            await RefreshAsync();
            RefreshProblem = null;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Keep showing the last data and say why it is not current; the next tick tries again.
            RefreshProblem = e.Message;
        }
    }

    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Stops the refreshes; pages that hold more (subscriptions) release it here too.</summary>
    protected virtual void Dispose(bool disposing)
    {
        disposed = true;
        timer?.Dispose();
    }
}
