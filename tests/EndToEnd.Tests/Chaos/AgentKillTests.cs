using Caas.Contracts.Jobs;
using Caas.EndToEnd.Tests.Cluster;

namespace Caas.EndToEnd.Tests.Chaos;

/// <summary>kill -9 of an agent together with its jobs, as when its machine dies, and the agent's return.</summary>
[Trait("Category", "Chaos")]
[Collection(StandaloneCollection.Name)]
public sealed class AgentKillTests(SeparateProcessCluster cluster) : IClassFixture<SeparateProcessCluster>
{
    [Fact]
    public async Task The_dead_agents_job_is_found_stalled_and_after_the_agent_returns_it_runs_once_again_or_failed_with_a_reason_while_other_jobs_run_on()
    {
        var victim = await ClusterChaosJobs.StartCheckpointedAsync(cluster, "agent kill victim", "cloud-a", TimeSpan.FromSeconds(4));
        var bystander = await ClusterChaosJobs.StartCheckpointedAsync(cluster, "agent kill bystander", "onprem", TimeSpan.FromMinutes(5));
        var acknowledged = await ClusterChaosJobs.AcknowledgedAsync(cluster, victim, bystander);

        await cluster.KillAgentWithItsJobsAsync("cloud-a-1");

        // Nothing reports for the victim any more: the platform finds it stalled and starts its recovery.
        await cluster.Api.WaitForJobAsync(victim.JobId, j => j.Stalled || j.Status != JobStatus.Running, ChaosInvariants.Patience, "stalled once its agent died");
        cluster.RestartAgent("cloud-a-1");
        try
        {
            await ChaosInvariants.AssertHoldAsync(cluster, acknowledged);
            var after = await cluster.Api.GetJobAsync(victim.JobId);
            if (after.Status == JobStatus.Running)
                Assert.True(after.Progress >= victim.Checkpoints.Single().Progress, "the victim runs again, but not from its checkpoint");
            Assert.Equal(JobStatus.Running, (await cluster.Api.GetJobAsync(bystander.JobId)).Status);
        }
        finally
        {
            await ClusterChaosJobs.KillAllAsync(cluster, victim, bystander);
        }
    }
}
