namespace Caas.Web.Portal.Security;

/// <summary>A password check refused without looking at the password, because too many were wrong lately (HTTP 429).</summary>
public sealed class TooManyPasswordGuessesException(TimeSpan retryAfter)
    : Exception($"Too many wrong passwords for this account. Try again in {PasswordGuessLimiter.WholeSeconds(retryAfter)} s.")
{
    /// <summary>Whole seconds until a try is allowed again, at least 1: what Retry-After says.</summary>
    public int RetryAfterSeconds { get; } = PasswordGuessLimiter.WholeSeconds(retryAfter);
}
