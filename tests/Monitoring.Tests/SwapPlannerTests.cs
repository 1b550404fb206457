using Caas.Contracts.Jobs;
using Caas.Monitoring.Grains.Swap;
using Microsoft.Extensions.Time.Testing;

namespace Caas.Monitoring.Tests;

/// <summary>Which running job a higher-priority one swaps out, and in which order swapped-out jobs come back, on a fake clock.</summary>
[Trait("Category", "Unit")]
public sealed class SwapPlannerTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Cooldown = TimeSpan.FromMinutes(2);
    private readonly FakeTimeProvider _clock = new(T0);

    private SwapCandidate Running(string job, int priority, TimeSpan startedAgo, bool swappedIn = false) =>
        new(job, "node-" + job[^1], priority, _clock.GetUtcNow() - startedAgo, swappedIn);

    private SwapChoice Choose(int priority, params SwapCandidate[] running) =>
        SwapPlanner.ChooseVictim(priority, running, _clock.GetUtcNow(), Cooldown);

    [Fact]
    public void The_lowest_priority_job_below_the_newcomer_is_swapped_out()
    {
        var choice = Choose(5,
            Running("job-a", 3, TimeSpan.FromMinutes(10)),
            Running("job-b", -2, TimeSpan.FromMinutes(1)),
            Running("job-c", 0, TimeSpan.FromMinutes(30)));

        Assert.Equal(("job-b", null), (choice.Victim?.JobId, choice.Problem));
    }

    [Fact]
    public void Equal_or_higher_priority_jobs_are_never_swapped_out_and_the_newcomer_waits_saying_why()
    {
        var choice = Choose(1, Running("job-a", 1, TimeSpan.FromHours(1)), Running("job-b", 7, TimeSpan.FromHours(1)));

        Assert.Equal((null, "no running job has a priority below 1"), (choice.Victim?.JobId, choice.Problem));
    }

    [Fact]
    public void Of_equal_lowest_priority_the_job_running_longest_goes_then_by_job_id()
    {
        Assert.Equal("job-a", Choose(1, Running("job-b", 0, TimeSpan.FromMinutes(5)), Running("job-a", 0, TimeSpan.FromMinutes(9))).Victim?.JobId);
        Assert.Equal("job-a", Choose(1, Running("job-b", 0, TimeSpan.FromMinutes(5)), Running("job-a", 0, TimeSpan.FromMinutes(5))).Victim?.JobId);
    }

    [Fact]
    public void A_job_just_swapped_in_keeps_its_slot_until_the_cooldown_ends()
    {
        var swappedIn = Running("job-a", 0, TimeSpan.Zero, swappedIn: true);

        var during = Choose(5, swappedIn);
        Assert.Null(during.Victim);
        Assert.Equal($"every running job of lower priority was swapped in less than 120 s ago (the first may be swapped out at {T0 + Cooldown:u})", during.Problem);

        _clock.Advance(Cooldown - TimeSpan.FromSeconds(1));
        Assert.Null(Choose(5, swappedIn).Victim);
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal("job-a", Choose(5, swappedIn).Victim?.JobId);
    }

    [Fact]
    public void The_cooldown_skips_the_job_just_swapped_in_for_another_lower_one()
    {
        var choice = Choose(5, Running("job-a", -1, TimeSpan.FromSeconds(10), swappedIn: true), Running("job-b", 2, TimeSpan.FromSeconds(10)));

        Assert.Equal("job-b", choice.Victim?.JobId);
    }

    [Fact]
    public void A_job_that_merely_started_recently_is_not_protected_by_the_cooldown()
    {
        Assert.Equal("job-a", Choose(5, Running("job-a", 0, TimeSpan.Zero)).Victim?.JobId);
    }

    [Fact]
    public void Swapped_out_jobs_come_back_highest_priority_first_and_oldest_first_within_a_priority()
    {
        var waiting = new[]
        {
            new SwappedOutJob("job-late-low", 0, T0.AddMinutes(3)),
            new SwappedOutJob("job-old-low", 0, T0.AddMinutes(1)),
            new SwappedOutJob("job-high", 4, T0.AddMinutes(5)),
            new SwappedOutJob("job-negative", -3, T0),
        };

        Assert.Equal(["job-high", "job-old-low", "job-late-low", "job-negative"], SwapPlanner.SwapInOrder(waiting, T0).Select(j => j.JobId));
    }

    [Fact]
    public void Waiting_ages_a_swapped_out_job_so_that_higher_priority_jobs_swapped_out_much_later_come_back_after_it()
    {
        var low = new SwappedOutJob("job-low", 0, T0);
        var high = new SwappedOutJob("job-high", 3, T0.AddMinutes(10));
        var later = new SwappedOutJob("job-later", 3, T0.AddMinutes(20));

        // At 20 min: low has waited 4 steps of 5 min (0 + 4), high 2 (3 + 2), later none (3 + 0).
        _clock.Advance(TimeSpan.FromMinutes(20));
        var now = _clock.GetUtcNow();
        Assert.Equal([4L, 5L, 3L], new[] { low, high, later }.Select(j => SwapPlanner.AgedPriority(j, now)));
        Assert.Equal(["job-high", "job-low", "job-later"], SwapPlanner.SwapInOrder([later, low, high], now).Select(j => j.JobId));
    }

    [Theory]
    [InlineData(-1001, false)]
    [InlineData(-1000, true)]
    [InlineData(0, true)]
    [InlineData(1000, true)]
    [InlineData(1001, false)]
    public void Priority_is_validated_on_submit_with_a_clear_error(int priority, bool valid)
    {
        var problems = JobSpecValidator.Validate(new JobSpec { Command = "/bin/true", Priority = priority });

        if (valid)
            Assert.Empty(problems);
        else
            Assert.Equal(["'priority' must be between -1000 and 1000 (0 is normal, higher runs first)."], problems);
    }

    [Fact]
    public void The_default_priority_is_normal()
    {
        Assert.Equal(0, new JobSpec { Command = "/bin/true" }.Priority);
    }
}
