using System.Globalization;
using Caas.Contracts.Jobs;
using Caas.Capture.Engine.Bundles;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Caas.Capture.Agent.Transfer;

/// <summary>
/// The transfer server's two read-only requests: a checkpoint's manifest, and one file it lists
/// (with HTTP Range, so that a broken transfer resumes). Every request needs an "image-read" token
/// for that checkpoint or one taken after it; a file is named only by a path its signed manifest lists.
/// </summary>
public sealed class BundleRequests(AgentPaths paths, TransferTokens tokens, IManifestSigner signer, ILogger<BundleRequests> logger)
{
    public const string ManifestRoute = "/v1/checkpoints/{jobId}/{sequence}/manifest";
    public const string FileRoute = "/v1/checkpoints/{jobId}/{sequence}/files/{**name}";

    public static string ManifestPath(string jobId, int sequence) =>
        $"/v1/checkpoints/{jobId}/{sequence.ToString(CultureInfo.InvariantCulture)}/manifest";

    public static string FilePath(string jobId, int sequence, string name) =>
        $"/v1/checkpoints/{jobId}/{sequence.ToString(CultureInfo.InvariantCulture)}/files/" + string.Join('/', name.Split('/').Select(Uri.EscapeDataString));

    public async Task<IResult> ManifestAsync(HttpContext http, string jobId, string sequence)
    {
        var (bundle, refusal) = await AuthorizeAsync(http, jobId, sequence);
        if (bundle is null)
            return refusal!;
        logger.LogDebug("serving the manifest of checkpoint {Sequence} of job {JobId} to {Remote}", bundle.Manifest.Sequence, jobId, http.Connection.RemoteIpAddress);
        return Results.Bytes(bundle.ManifestBytes, "application/json");
    }

    public async Task<IResult> FileAsync(HttpContext http, string jobId, string sequence, string name)
    {
        var (bundle, refusal) = await AuthorizeAsync(http, jobId, sequence);
        if (bundle is null)
            return refusal!;
        if (BundleReader.NameProblem(name) is { } problem)
            return Problem(http, StatusCodes.Status400BadRequest, $"\"{name}\" is not the name of a file in a bundle: it {problem}");
        var stream = BundleReader.OpenListedFile(bundle.Bundle, bundle.Manifest, name);
        if (stream is null)
            return Problem(http, StatusCodes.Status404NotFound, $"checkpoint {bundle.Manifest.Sequence} of job {jobId} lists no file \"{name}\"");
        logger.LogDebug("serving {File} of checkpoint {Sequence} of job {JobId} to {Remote} (range {Range})",
            name, bundle.Manifest.Sequence, jobId, http.Connection.RemoteIpAddress, http.Request.Headers.Range.ToString());
        return Results.Stream(stream, "application/octet-stream", enableRangeProcessing: true);
    }

    private sealed record ServedBundle(CheckpointBundle Bundle, CheckpointManifest Manifest, byte[] ManifestBytes);

    /// <summary>The token first, so that a caller without one learns nothing about what this node holds.</summary>
    private async Task<(ServedBundle? Bundle, IResult? Refusal)> AuthorizeAsync(HttpContext http, string jobId, string sequenceText)
    {
        var header = http.Request.Headers.Authorization.ToString();
        var presented = header.StartsWith("Bearer ", StringComparison.Ordinal) ? header["Bearer ".Length..].Trim() : null;
        var verdict = tokens.Check(presented, TransferTokens.ImageRead);
        if (verdict.Token is not { } token)
        {
            logger.LogInformation("refused a transfer request from {Remote} for {Path}: {Problem}", http.Connection.RemoteIpAddress, http.Request.Path.Value, verdict.Problem);
            return (null, Problem(http, verdict.Status, verdict.Problem!));
        }
        if (!JobIds.IsValid(jobId) || !int.TryParse(sequenceText, NumberStyles.None, CultureInfo.InvariantCulture, out var sequence) || sequence < 1)
            return (null, Problem(http, StatusCodes.Status400BadRequest, $"\"{jobId}/{sequenceText}\" is not a job id and checkpoint sequence"));
        if (token.JobId != jobId)
            return (null, Problem(http, StatusCodes.Status403Forbidden, $"the transfer token is for job {token.JobId}, not {jobId}"));

        // The token's checkpoint and the ones it was taken after (its parent chain): a target needs them all to restore it.
        var current = token.Sequence;
        while (true)
        {
            var bundle = paths.Checkpoint(jobId, current);
            byte[] bytes;
            try
            {
                bytes = await File.ReadAllBytesAsync(bundle.ManifestPath, http.RequestAborted);
            }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
            {
                return (null, Problem(http, StatusCodes.Status404NotFound, $"checkpoint {current} of job {jobId} is not on this node"));
            }
            CheckpointManifest manifest;
            try
            {
                manifest = BundleReader.ParseSigned(bundle.ManifestPath, bytes, signer);
            }
            catch (CheckpointBundleRejectedException e)
            {
                logger.LogWarning("checkpoint {Sequence} of job {JobId} cannot be served: {Problem}", current, jobId, e.Reason);
                return (null, Problem(http, StatusCodes.Status409Conflict, $"checkpoint {current} of job {jobId} on this node is damaged: {e.Reason}"));
            }
            if (manifest.JobId != jobId || manifest.Sequence != current)
                return (null, Problem(http, StatusCodes.Status409Conflict, $"checkpoint {current} of job {jobId} on this node holds the manifest of checkpoint {manifest.Sequence} of job {manifest.JobId}"));
            if (current == sequence)
                return (new ServedBundle(bundle, manifest, bytes), null);
            if (manifest.ParentSequence is not { } parent || parent >= current || parent < sequence)
                return (null, Problem(http, StatusCodes.Status403Forbidden, $"the transfer token is for checkpoint {token.Sequence} of job {jobId}, and checkpoint {sequence} is not one it was taken after"));
            current = parent;
        }
    }

    private static IResult Problem(HttpContext http, int status, string detail)
    {
        if (status == StatusCodes.Status401Unauthorized)
            http.Response.Headers.WWWAuthenticate = "Bearer";
        return Results.Problem(detail: detail, statusCode: status);
    }
}
