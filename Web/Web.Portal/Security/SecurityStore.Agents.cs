using System.Security.Cryptography;
using Caas.Contracts.Bus;
using Microsoft.AspNetCore.WebUtilities;

namespace Caas.Web.Portal.Security;

/// <summary>
/// Agent credentials: one per node, 32 random bytes shown once at enrollment, kept only as a SHA-256 hash (a fast hash
/// suffices for 256 bits of entropy). Enrolling again replaces the credential; revoking ends it.
/// </summary>
public abstract partial class SecurityStore
{
    /// <returns>The enrollment and its secret, which is not stored and cannot be shown again.</returns>
    public async Task<(AgentEnrollment Enrollment, string Secret)> EnrollAgentAsync(string nodeId, CancellationToken ct = default)
    {
        if (string.IsNullOrWhiteSpace(nodeId) || nodeId.Length > 100 || !nodeId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            throw new OperationRejectedException(RejectionKind.Invalid, "A node id is 1 to 100 letters, digits, '-', '_' or '.', as the agent's Caas:Agent:NodeId.");
        var secret = AgentMessages.CredentialPrefix + WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(32));
        var enrollment = new AgentEnrollment(nodeId, clock.GetUtcNow(), null);
        await using var db = await OpenAsync(ct);
        await using var command = db.CreateCommand();
        command.CommandText = """
            INSERT INTO security_agent_credentials (node_id, credential_hash, enrolled_at, revoked_at) VALUES (@node, @hash, @at, NULL)
            ON CONFLICT (node_id) DO UPDATE SET credential_hash = excluded.credential_hash, enrolled_at = excluded.enrolled_at, revoked_at = NULL
            """;
        command.Set("@node", nodeId);
        command.Set("@hash", ApiTokenSecret.Hash(secret));
        command.Set("@at", Time(enrollment.EnrolledAt));
        await command.ExecuteNonQueryAsync(ct);
        return (enrollment, secret);
    }

    public async Task RevokeAgentAsync(string nodeId, CancellationToken ct = default)
    {
        await using var db = await OpenAsync(ct);
        await using var command = db.CreateCommand();
        command.CommandText = "UPDATE security_agent_credentials SET revoked_at = COALESCE(revoked_at, @at) WHERE node_id = @node";
        command.Set("@node", nodeId);
        command.Set("@at", Time(clock.GetUtcNow()));
        if (await command.ExecuteNonQueryAsync(ct) == 0)
            throw new OperationRejectedException(RejectionKind.NotFound, $"Node '{nodeId}' was never enrolled.");
    }

    public async Task<IReadOnlyList<AgentEnrollment>> ListAgentsAsync(CancellationToken ct = default)
    {
        await using var db = await OpenAsync(ct);
        await using var command = db.CreateCommand();
        command.CommandText = "SELECT node_id, enrolled_at, revoked_at FROM security_agent_credentials ORDER BY node_id";
        await using var reader = await command.ExecuteReaderAsync(ct);
        var agents = new List<AgentEnrollment>();
        while (await reader.ReadAsync(ct))
            agents.Add(new AgentEnrollment(reader.GetString(0), ReadTime(reader, 1), reader.IsDBNull(2) ? null : ReadTime(reader, 2)));
        return agents;
    }

    public async Task<string?> CheckAsync(string nodeId, string credential, CancellationToken cancellationToken = default)
    {
        await using var db = await OpenAsync(cancellationToken);
        await using var command = db.CreateCommand();
        command.CommandText = "SELECT credential_hash, revoked_at FROM security_agent_credentials WHERE node_id = @node";
        command.Set("@node", nodeId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
            return $"node {nodeId} is not enrolled (an admin enrolls it with: caas nodes enroll {nodeId})";
        if (!reader.IsDBNull(1))
            return $"the credential of node {nodeId} was revoked";
        var expected = Convert.FromHexString(reader.GetString(0));
        var presented = Convert.FromHexString(ApiTokenSecret.Hash(credential));
        return CryptographicOperations.FixedTimeEquals(expected, presented) ? null : $"the credential is not node {nodeId}'s";
    }
}
