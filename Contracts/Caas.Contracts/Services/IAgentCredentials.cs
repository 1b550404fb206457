namespace Caas.Contracts.Services;

/// <summary>Checks the credential an agent's message carries against the node's enrollment.</summary>
public interface IAgentCredentials
{
    /// <returns>Null when <paramref name="credential"/> is the current, unrevoked credential of <paramref name="nodeId"/>; else why not.</returns>
    Task<string?> CheckAsync(string nodeId, string credential, CancellationToken cancellationToken = default);
}
