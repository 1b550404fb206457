namespace Caas.Web.Portal.Security;

/// <summary>Authorization policy names: what an endpoint or page needs, by the least role that may do it.</summary>
public static class CaasPolicies
{
    public const string View = "caas.view";
    public const string Operate = "caas.operate";
    public const string Administer = "caas.administer";
    /// <summary>Token management: reachable by cookie (portal), Basic password (caas-cli login) or a token.</summary>
    public const string ManageOwnTokens = "caas.tokens";
}
