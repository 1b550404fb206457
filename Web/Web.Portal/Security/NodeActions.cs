using Microsoft.AspNetCore.Components.Authorization;

namespace Caas.Web.Portal.Security;

/// <summary>What the portal's pages may do to nodes, for the logged-in user: the role is checked here on the server, and every action is audited.</summary>
public sealed class NodeActions(INodeOperations operations, AuthenticationStateProvider authentication, AuditLog audit)
{
    public async Task<NodeStatus> DrainAsync(string nodeId)
    {
        var user = await authentication.RequireOperatorAsync("drain nodes");
        var node = await operations.DrainAsync(nodeId);
        await audit.RecordAsync(user, AuditActions.NodeDrained, nodeId);
        return node;
    }

    public async Task<NodeStatus> UndrainAsync(string nodeId)
    {
        var user = await authentication.RequireOperatorAsync("undrain nodes");
        var node = await operations.UndrainAsync(nodeId);
        await audit.RecordAsync(user, AuditActions.NodeUndrained, nodeId);
        return node;
    }
}
