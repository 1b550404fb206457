namespace Caas.Web.Portal.Security;

/// <summary>Settings of access control, bound from "Caas:Security".</summary>
public sealed class SecurityOptions
{
    public const string SectionName = "Caas:Security";

    /// <summary>SQLite file holding users and tokens (the standalone host uses its caas.db).</summary>
    public string? DatabasePath { get; set; }

    /// <summary>Password for the first admin on a start with no users; when unset a random one is printed once.</summary>
    public string? BootstrapAdminPassword { get; set; }

    public TimeSpan DefaultTokenLifetime { get; set; } = TimeSpan.FromDays(30);

    public TimeSpan MaximumTokenLifetime { get; set; } = TimeSpan.FromDays(365);
}
