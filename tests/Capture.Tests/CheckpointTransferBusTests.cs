using System.Diagnostics.Metrics;
using Caas.Contracts.Bus;
using Caas.Capture.Agent.Transfer;
using Caas.Capture.Engine.Bundles;
using Microsoft.Extensions.DependencyInjection;

namespace Caas.Capture.Tests;

/// <summary>
/// The transfer protocol between two agents on a MassTransit in-memory bus, with their real consumers:
/// TransferCheckpoint to the source → FetchCheckpoint to the target → CheckpointTransferred.
/// </summary>
[Trait("Category", "Integration")]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class CheckpointTransferBusTests : TwoAgentTest
{
    private const string Job = "job-00000000d1";

    [Fact]
    public async Task A_transfer_command_to_the_source_ends_with_the_checkpoint_verified_on_the_target_and_its_bytes_recorded()
    {
        var manifest = await Agents.Source.SealBundleAsync(Job, 1, parent: null, 1 << 20, ("images/pages-1.img", 3 << 20), ("images/core-1.img", 4_000));
        var wireBytes = TestTransferBundles.WireBytes(Agents.Source.Paths.Checkpoint(Job, 1), manifest);
        var recorded = new List<(string Instrument, double Value, string? Outcome)>();
        using var listener = RecordTargetMetrics(recorded);
        var transferId = Guid.NewGuid();

        await Agents.SendAsync(TransferAgents.SourceNode, new TransferCheckpoint(Job, 1, TransferAgents.SourceNode, TransferAgents.TargetNode, transferId));

        var done = await Agents.PublishedAsync<CheckpointTransferred>(m => m.TransferId == transferId);
        Assert.Equal((Job, 1, TransferAgents.SourceNode, TransferAgents.TargetNode, wireBytes), (done.JobId, done.Sequence, done.SourceNodeId, done.TargetNodeId, done.BytesMoved));
        Assert.True(done.Duration > TimeSpan.Zero);
        var verified = await Agents.Target.Services.GetRequiredService<CheckpointBundleVerifier>().VerifyAsync(Agents.Target.Paths.Checkpoint(Job, 1), Job, 1);
        Assert.Equal(manifest.Signature, verified.Signature);

        Assert.True(await Agents.Harness.Sent.Any<FetchCheckpoint>(m => m.Context.Message.TransferId == transferId));
        var fetch = Agents.Harness.Sent.Select<FetchCheckpoint>(m => m.Context.Message.TransferId == transferId).First();
        Assert.Equal(AgentAddress.QueueName(TransferAgents.TargetNode), fetch.Context.DestinationAddress!.AbsolutePath.Trim('/'));
        Assert.Equal(Agents.Source.Url.ToString().TrimEnd('/'), fetch.Context.Message.SourceUrl);
        Assert.DoesNotContain(fetch.Context.Message.Token, fetch.Context.Message.ToString());

        var last = await Agents.PublishedAsync<CheckpointTransferProgress>(m => m.TransferId == transferId && m.BytesDone == manifest.TotalBytes);
        Assert.Equal(manifest.TotalBytes, last.BytesTotal);
        Assert.Contains((TransferMetrics.BytesMovedName, (double)wireBytes, "transferred"), recorded);
        Assert.Contains(recorded, r => r.Instrument == TransferMetrics.DurationName && r.Value > 0 && r.Outcome == "transferred");
    }

    [Fact]
    public async Task Both_agents_advertise_their_transfer_server_in_their_heartbeats()
    {
        var source = await Agents.PublishedAsync<NodeHeartbeat>(m => m.Node.NodeId == TransferAgents.SourceNode);
        var target = await Agents.PublishedAsync<NodeHeartbeat>(m => m.Node.NodeId == TransferAgents.TargetNode);

        Assert.Equal(Agents.Source.Url.ToString().TrimEnd('/'), source.Node.TransferUrl);
        Assert.Equal(Agents.Target.Url.ToString().TrimEnd('/'), target.Node.TransferUrl);
        Assert.StartsWith("http://127.0.0.2:", source.Node.TransferUrl);
        Assert.StartsWith("http://127.0.0.3:", target.Node.TransferUrl);
    }

    [Fact]
    public async Task A_transfer_of_a_checkpoint_the_source_does_not_hold_fails_with_the_reason_and_sends_nothing_to_the_target()
    {
        var transferId = Guid.NewGuid();

        await Agents.SendAsync(TransferAgents.SourceNode, new TransferCheckpoint(Job, 7, TransferAgents.SourceNode, TransferAgents.TargetNode, transferId));

        var failed = await Agents.PublishedAsync<CheckpointTransferFailed>(m => m.TransferId == transferId);
        Assert.Equal((TransferAgents.SourceNode, $"checkpoint 7 of job {Job} is not on node {TransferAgents.SourceNode}"), (failed.NodeId, failed.Reason));
        Assert.False(await Agents.Harness.Sent.Any<FetchCheckpoint>(m => m.Context.Message.TransferId == transferId, new CancellationTokenSource(TimeSpan.FromSeconds(1)).Token));
        Agents.Target.AssertHoldsNothingOf(Job);
    }

    [Fact]
    public async Task A_fetch_whose_source_refuses_it_is_reported_failed_by_the_target_which_keeps_nothing()
    {
        await Agents.Source.SealBundleAsync(Job, 1, parent: null, 64 << 10, ("images/pages-1.img", 10_000));
        await Agents.Source.SealBundleAsync(Job, 2, parent: null, 64 << 10, ("images/pages-1.img", 10_000));
        var transferId = Guid.NewGuid();
        var (token, expiresAt) = Agents.Source.Tokens.MintImageRead(Job, 2, TransferAgents.TargetNode, TimeSpan.FromMinutes(5));

        await Agents.SendAsync(TransferAgents.TargetNode,
            new FetchCheckpoint(Job, 1, TransferAgents.SourceNode, TransferAgents.TargetNode, transferId, Agents.Source.Url.ToString(), token, expiresAt));

        var failed = await Agents.PublishedAsync<CheckpointTransferFailed>(m => m.TransferId == transferId);
        Assert.Equal(TransferAgents.TargetNode, failed.NodeId);
        Assert.Contains("(403): the transfer token is for checkpoint 2", failed.Reason);
        Agents.Target.AssertHoldsNothingOf(Job);
    }

    /// <summary>Measurements of the target agent's transfer meter only (both agents have one of the same name).</summary>
    private MeterListener RecordTargetMetrics(List<(string, double, string?)> recorded)
    {
        var targetMeters = Agents.Target.Services.GetRequiredService<IMeterFactory>();
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == TransferMetrics.MeterName && instrument.Meter.Scope == targetMeters)
                    l.EnableMeasurementEvents(instrument);
            },
        };
        void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            string? outcome = null;
            foreach (var tag in tags)
                if (tag.Key == "outcome")
                    outcome = tag.Value as string;
            lock (recorded)
                recorded.Add((instrument.Name, value, outcome));
        }
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        listener.Start();
        return listener;
    }
}
