using Caas.Contracts.Audit;
using Caas.Capture.Agent;
using Caas.Web.Portal.Security;

namespace Caas.Web.Standalone;

/// <summary>
/// Enrolls the host's own embedded agent at every start, before any hosted service runs (so before its first
/// heartbeat): a fresh credential each time, held only in memory by the agent, so the platform accepts its reports like
/// any other enrolled agent's and nobody has to copy a secret for the standalone platform.
/// </summary>
public sealed class LocalAgentEnrollment(ISecurityStore store, AgentCredential credential, AuditLog audit, ILogger<LocalAgentEnrollment> logger) : IHostedLifecycleService
{
    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        var (enrollment, secret) = await store.EnrollAgentAsync(credential.NodeId, cancellationToken);
        credential.Set(secret);
        try
        {
            await audit.RecordAsync(AuditLog.Platform, AuditActions.NodeEnrolled, $"{enrollment.NodeId} (the host's own agent)");
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            logger.LogWarning("The enrollment of the local agent {Node} is not in the audit trail: {Error}", enrollment.NodeId, error.Message);
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
