namespace Caas.Web.Portal.Security;

/// <summary>
/// Slows password guessing at the two doors anyone can knock on without an account: the login form and HTTP Basic
/// (how caas-cli gets its token). Failures are counted per client address and user name, and per client address:
/// past <see cref="FailuresPerUser"/> wrong passwords for one user, or <see cref="FailuresPerClient"/> for any users,
/// within <see cref="Window"/>, that client's next tries are refused without looking at the password until the oldest
/// failure leaves the window. Per client, not per user alone, so that nobody can lock an administrator out by
/// failing on purpose from elsewhere. Kept in memory: a restart forgets, and each web host counts its own.
/// </summary>
public sealed class PasswordGuessLimiter(TimeProvider clock)
{
    public const int FailuresPerUser = 10;
    public const int FailuresPerClient = 50;
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(5);
    /// <summary>Bounds what unauthenticated callers can make this remember; past it, the oldest keys are dropped.</summary>
    public const int MaxKeys = 10_000;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, Queue<DateTimeOffset>> _failures = [];

    /// <returns>Null when a try may go ahead; else how long until it may.</returns>
    public TimeSpan? RetryAfter(string client, string user)
    {
        var now = clock.GetUtcNow();
        lock (_gate)
        {
            // The longer of the two waits; null (allowed) only when neither limit is reached.
            return new[] { Wait(UserKey(client, user), FailuresPerUser, now), Wait(ClientKey(client), FailuresPerClient, now) }.Max();
        }
    }

    /// <summary>A wait as the whole seconds a Retry-After header and the refusal's words give, at least 1.</summary>
    public static int WholeSeconds(TimeSpan wait) => Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));

    public void RecordFailure(string client, string user)
    {
        var now = clock.GetUtcNow();
        lock (_gate)
        {
            if (_failures.Count >= MaxKeys)
                Forget(now);
            Add(UserKey(client, user), now);
            Add(ClientKey(client), now);
        }
    }

    /// <summary>A right password clears that user's failures from that client (not the client's total).</summary>
    public void RecordSuccess(string client, string user)
    {
        lock (_gate)
            _failures.Remove(UserKey(client, user));
    }

    private TimeSpan? Wait(string key, int allowed, DateTimeOffset now)
    {
        if (!_failures.TryGetValue(key, out var times))
            return null;
        while (times.Count > 0 && now - times.Peek() >= Window)
            times.Dequeue();
        return times.Count < allowed ? null : times.Peek() + Window - now;
    }

    private void Add(string key, DateTimeOffset now)
    {
        if (!_failures.TryGetValue(key, out var times))
            _failures[key] = times = new Queue<DateTimeOffset>();
        times.Enqueue(now);
        // More than the limit is never needed to know when the next try is allowed.
        while (times.Count > FailuresPerClient)
            times.Dequeue();
    }

    private void Forget(DateTimeOffset now)
    {
        foreach (var key in _failures.Where(f => f.Value.Count == 0 || now - f.Value.Last() >= Window).Select(f => f.Key).ToList())
            _failures.Remove(key);
        if (_failures.Count < MaxKeys)
            return;
        // Still full: everything is recent, so drop the keys whose newest failure is oldest.
        foreach (var key in _failures.OrderBy(f => f.Value.Last()).Take(_failures.Count - MaxKeys / 2).Select(f => f.Key).ToList())
            _failures.Remove(key);
    }

    private static string UserKey(string client, string user) => $"{client}\n{user}";

    private static string ClientKey(string client) => client;

    /// <summary>The client address a request's guesses are counted under.</summary>
    public static string ClientOf(Microsoft.AspNetCore.Http.HttpContext context) => context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
}
