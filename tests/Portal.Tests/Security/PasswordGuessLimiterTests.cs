using Caas.Web.Portal.Security;
using Microsoft.Extensions.Time.Testing;

namespace Caas.Portal.Tests.Security;

[Trait("Category", "Unit")]
public sealed class PasswordGuessLimiterTests
{
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2026, 11, 27, 7, 0, 0, TimeSpan.Zero));

    [Fact]
    public void A_client_may_guess_a_users_password_ten_times_in_five_minutes_then_waits_for_the_oldest_guess_to_expire()
    {
        var limiter = new PasswordGuessLimiter(clock);
        for (var i = 0; i < PasswordGuessLimiter.FailuresPerUser; i++)
        {
            Assert.Null(limiter.RetryAfter("198.18.0.9", "admin"));
            limiter.RecordFailure("198.18.0.9", "admin");
            clock.Advance(TimeSpan.FromSeconds(10));
        }

        Assert.Equal(PasswordGuessLimiter.Window - TimeSpan.FromSeconds(100), limiter.RetryAfter("198.18.0.9", "admin"));
        Assert.Null(limiter.RetryAfter("198.18.0.10", "admin"));
        clock.Advance(PasswordGuessLimiter.Window - TimeSpan.FromSeconds(100));
        Assert.Null(limiter.RetryAfter("198.18.0.9", "admin"));
    }

    [Fact]
    public void A_right_password_clears_that_users_count_but_a_client_guessing_many_users_is_stopped_too()
    {
        var limiter = new PasswordGuessLimiter(clock);
        for (var i = 0; i < PasswordGuessLimiter.FailuresPerUser - 1; i++)
            limiter.RecordFailure("198.18.0.9", "admin");
        limiter.RecordSuccess("198.18.0.9", "admin");
        limiter.RecordFailure("198.18.0.9", "admin");
        Assert.Null(limiter.RetryAfter("198.18.0.9", "admin"));

        for (var i = 0; limiter.RetryAfter("198.18.0.9", $"user{i}") is null; i++)
        {
            Assert.True(i < PasswordGuessLimiter.FailuresPerClient, "the client was stopped by its total");
            limiter.RecordFailure("198.18.0.9", $"user{i}");
        }
        Assert.NotNull(limiter.RetryAfter("198.18.0.9", "someone-new"));
        Assert.Null(limiter.RetryAfter("198.18.0.10", "someone-new"));
    }
}
