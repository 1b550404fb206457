namespace Caas.Web.Portal;

/// <summary>Settings of the portal, bound from the configuration section "Caas:Portal".</summary>
public sealed class PortalOptions
{
    public const string SectionName = "Caas:Portal";

    /// <summary>Path of the bundled <c>counter</c> workload; the demo button is hidden when it is not set.</summary>
    public string? DemoCommand { get; set; }
}
