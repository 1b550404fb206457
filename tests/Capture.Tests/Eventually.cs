using System.Diagnostics;

namespace Caas.Capture.Tests;

/// <summary>Waits on real processes: polls a condition until it holds or the time is up.</summary>
public static class Eventually
{
    public static async Task<T> Get<T>(Func<T?> probe, Func<T, bool> accept, TimeSpan within, string what)
    {
        var watch = Stopwatch.StartNew();
        T? last = default;
        while (watch.Elapsed < within)
        {
            last = probe();
            if (last is not null && accept(last))
                return last;
            await Task.Delay(50);
        }
        throw new TimeoutException($"{what} did not happen within {within.TotalSeconds:0.#} s (last seen: {last?.ToString() ?? "nothing"})");
    }
}
