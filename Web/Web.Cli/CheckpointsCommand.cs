using System.CommandLine;
using Caas.Contracts.Jobs;
using Caas.Contracts.Views;

namespace Caas.Web.Cli;

/// <summary>`caas-cli checkpoints list|verify|delete`: the checkpoint catalog and the two actions on one checkpoint.</summary>
internal static class CheckpointsCommand
{
    public static Command Create(Option<string> url, Option<bool> json, Argument<string> jobId, WaitOptions waiting, Func<string?> token, TextWriter output, TextWriter error)
    {
        var job = new Option<string?>("--job") { Description = "Only checkpoints of this job." };
        var node = new Option<string?>("--node") { Description = "Only checkpoints held by this node." };
        var status = new Option<CheckpointVerification?>("--status") { Description = "Only checkpoints with this verification status." };
        var existing = new Option<bool>("--existing") { Description = "Leave out deleted and pruned checkpoints." };
        var skip = new Option<int>("--skip") { Description = "Checkpoints to skip (newest first).", DefaultValueFactory = _ => 0 };
        var take = new Option<int>("--take") { Description = "Checkpoints to show.", DefaultValueFactory = _ => 50 };
        var list = new Command("list", "List checkpoints across jobs, newest first, with lineage, size, duration and verification.") { job, node, status, existing, skip, take, json };
        list.SetAction((parse, ct) => CliApp.Run(parse, url, token(), output, error, async api =>
        {
            var query = $"checkpoints?skip={parse.GetValue(skip)}&take={parse.GetValue(take)}"
                + (parse.GetValue(job) is { } j ? $"&job={Uri.EscapeDataString(j)}" : "")
                + (parse.GetValue(node) is { } n ? $"&node={Uri.EscapeDataString(n)}" : "")
                + (parse.GetValue(status) is { } s ? $"&status={s}" : "")
                + (parse.GetValue(existing) ? "&includeRemoved=false" : "");
            var text = await api.GetAsync(query, ct);
            if (parse.GetValue(json))
                CliApp.WriteJson(output, text);
            else
                TextOutput.Checkpoints(output, PlatformApi.Read<Page<CheckpointCatalogEntry>>(text));
        }));

        var sequence = new Argument<int>("sequence") { Description = "The checkpoint's sequence number." };
        var verify = new Command("verify",
            "Test-restore a checkpoint into a throw-away copy on its node. With --wait, follow it to the verdict: exit 0 verified, 3 failed verification, 4 --timeout passed; --json prints the final catalog entry.")
        {
            jobId, sequence, waiting.Wait, waiting.Timeout, json,
        };
        verify.SetAction((parse, ct) => CliApp.RunWithExit(parse, url, token(), output, error, async api =>
        {
            var (id, number) = (parse.GetValue(jobId)!, parse.GetValue(sequence));
            var follower = waiting.FollowerIfWaiting(api, parse);
            var printJson = parse.GetValue(json);
            if (printJson && follower is null)
                throw new UsageException("--json prints the verification's verdict, so it needs --wait.");
            // A checkpoint verified before keeps its old verdict until the new one comes: wait for one newer than it.
            var earlier = follower is null ? null : (await OperationFollower.FindCheckpointAsync(api, id, number, ct))?.Entry.VerifiedAt;
            await api.PostAsync($"jobs/{Uri.EscapeDataString(id)}/checkpoints/{number}/verify", null, ct);
            if (!printJson)
                output.WriteLine($"Verification of checkpoint {number} of {id} requested.");
            return follower is null ? ExitCodes.Ok : await follower.VerificationAsync(id, number, earlier, printJson, ct);
        }));

        var delete = new Command("delete", "Delete a checkpoint; refused for the newest verified one and for a parent of another.") { jobId, sequence };
        delete.SetAction((parse, ct) => CliApp.Run(parse, url, token(), output, error, async api =>
        {
            var (id, number) = (parse.GetValue(jobId)!, parse.GetValue(sequence));
            await api.DeleteAsync($"jobs/{Uri.EscapeDataString(id)}/checkpoints/{number}", ct);
            output.WriteLine($"Deletion of checkpoint {number} of {id} requested.");
        }));

        return new Command("checkpoints", "The checkpoint catalog: list, verify now, delete.") { list, verify, delete };
    }
}
