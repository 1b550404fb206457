using Caas.Contracts.Jobs;
using Caas.Contracts.Policies;
using Caas.Monitoring.Grains;
using Caas.Monitoring.Grains.Policies;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Caas.Monitoring.Tests;

[Trait("Category", "Unit")]
public sealed class RecoveryPolicyValidatorTests
{
    [Fact]
    public void The_default_policy_is_valid()
    {
        Assert.Empty(RecoveryPolicyValidator.Validate(new RecoveryPolicy()));
    }

    [Fact]
    public void Every_problem_names_its_field_as_written_in_json()
    {
        var policy = new RecoveryPolicy
        {
            MaxAttempts = 0,
            BackoffSeconds = 20,
            MaxBackoffSeconds = 5,
            CooldownSeconds = double.NaN,
            AllowedPools = ["cloud-a", "bad pool"],
            PreferredPools = ["cloud-a", "cloud-a"],
            OnStarvation = StarvationResponse.MigratePool,
            Checkpoints = new CheckpointSchedule { Mode = (CheckpointMode)9, MinIntervalSeconds = 600, MaxIntervalSeconds = 60, IntervalSeconds = 0.5 },
        };

        var problems = RecoveryPolicyValidator.Validate(policy).Select(p => p.ToString()).ToArray();

        Assert.Equal(
        [
            "'policy.maxAttempts' must be between 1 and 100",
            "'policy.maxBackoffSeconds' must be at least backoffSeconds (20)",
            "'policy.cooldownSeconds' must be a number of seconds between 0 and 31536000",
            "'policy.allowedPools' names 'bad pool': a pool name is 1 to 63 letters, digits, '-', '_' or '.'",
            "'policy.preferredPools' names a pool twice",
            "'policy.onStarvation' is MigratePool, which moves the job to another pool: set allowCrossPool to true, or use MigrateNode",
            "'policy.checkpoints.mode' must be one of Off, Fixed, Adaptive",
            "'policy.checkpoints.intervalSeconds' must be a number of seconds between 1 and 31536000",
            "'policy.checkpoints.maxIntervalSeconds' must be at least minIntervalSeconds (600)",
        ], problems);
    }

    [Fact]
    public void A_preferred_pool_must_be_an_allowed_one()
    {
        var problems = RecoveryPolicyValidator.Validate(new RecoveryPolicy { AllowedPools = ["cloud-a"], PreferredPools = ["cloud-b"] });

        Assert.Equal("'policy.preferredPools' names 'cloud-b', which allowedPools does not allow", Assert.Single(problems).ToString());
    }

    [Fact]
    public void A_job_spec_with_a_bad_policy_is_refused_naming_the_field()
    {
        var spec = new JobSpec { Command = "/usr/bin/sleep", Policy = new RecoveryPolicy { MaxFailureRestarts = -1 } };

        Assert.Equal(["'policy.maxFailureRestarts' must be between 0 and 100."], JobSpecValidator.Validate(spec));
    }

    [Fact]
    public void Configured_defaults_are_checked_at_start_and_named_by_their_configuration_key()
    {
        var options = new RecoveryPolicyOptions
        {
            Platform = new RecoveryPolicy { MaxAttempts = 1000 },
            Pools = { ["cloud-b"] = new RecoveryPolicy { Checkpoints = new CheckpointSchedule { AssumedMtbfSeconds = 0 } }, ["no good"] = new RecoveryPolicy() },
        };

        var result = new RecoveryPolicyOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Equal(
        [
            "'Caas:Policies:Platform:maxAttempts' must be between 1 and 100.",
            "'Caas:Policies:Pools:cloud-b:checkpoints:assumedMtbfSeconds' must be a number of seconds between 1 and 31536000.",
            "'Caas:Policies:Pools:no good' is not a pool name: a pool name is 1 to 63 letters, digits, '-', '_' or '.'.",
        ], result.Failures);
    }

    [Fact]
    public void A_job_without_its_own_policy_takes_its_pools_default_else_the_platforms_and_keeps_its_old_on_stall()
    {
        var resolver = new PolicyResolver(new RecoveryPolicyOptions
        {
            Platform = new RecoveryPolicy { OnStall = StallResponse.Migrate },
            Pools = { ["cloud-b"] = new RecoveryPolicy { OnFailure = FailureResponse.Restart } },
        });
        var spec = new JobSpec { Command = "/bin/true" };

        Assert.Equal((StallResponse.Migrate, "platform"), Pick(resolver.For(spec, null)));
        Assert.Equal((FailureResponse.Restart, "pool:cloud-b"), (resolver.For(spec, "cloud-b").Policy.OnFailure, resolver.For(spec, "cloud-b").Source));
        Assert.Equal((StallResponse.AlertOnly, "platform (onStall AlertOnly from the spec)"), Pick(resolver.For(spec with { OnStall = StallAction.AlertOnly }, null)));
        var own = new RecoveryPolicy { OnStall = StallResponse.RestartFromCheckpoint };
        Assert.Equal((StallResponse.RestartFromCheckpoint, "job"), Pick(resolver.For(spec with { Policy = own, OnStall = StallAction.AlertOnly }, "cloud-b")));

        static (StallResponse, string) Pick((RecoveryPolicy Policy, string Source) chosen) => (chosen.Policy.OnStall, chosen.Source);
    }

    [Fact]
    public void Defaults_bind_from_the_configuration_section_and_a_bad_one_stops_the_start()
    {
        var configuration = new Microsoft.Extensions.Configuration.ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Caas:Policies:Platform:OnFailure"] = "Restart",
            ["Caas:Policies:Platform:Checkpoints:Mode"] = "Adaptive",
            ["Caas:Policies:Pools:spot:OnStall"] = "Migrate",
            ["Caas:Policies:Pools:spot:AllowedPools:0"] = "spot",
            ["Caas:Policies:Pools:spot:AllowedPools:1"] = "onprem",
            ["Caas:Policies:Pools:spot:AllowCrossPool"] = "true",
        }).Build();
        using var provider = new Microsoft.Extensions.DependencyInjection.ServiceCollection()
            .AddSingleton<Microsoft.Extensions.Configuration.IConfiguration>(configuration).AddCaasMonitoring().BuildServiceProvider();

        var defaults = provider.GetRequiredService<PolicyResolver>().Defaults;

        Assert.Equal((FailureResponse.Restart, CheckpointMode.Adaptive), (defaults.Platform.OnFailure, defaults.Platform.Checkpoints.Mode));
        Assert.Equal((StallResponse.Migrate, true), (defaults.Pools["spot"].OnStall, defaults.Pools["spot"].AllowCrossPool));
        Assert.Equal(["spot", "onprem"], defaults.Pools["spot"].AllowedPools);

        configuration["Caas:Policies:Pools:spot:MaxAttempts"] = "0";
        using var bad = new Microsoft.Extensions.DependencyInjection.ServiceCollection()
            .AddSingleton<Microsoft.Extensions.Configuration.IConfiguration>(configuration).AddCaasMonitoring().BuildServiceProvider();
        var error = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => bad.GetRequiredService<PolicyResolver>());
        Assert.Equal("'Caas:Policies:Pools:spot:maxAttempts' must be between 1 and 100.", Assert.Single(error.Failures));
    }
}
