namespace Caas.Web.Standalone;

/// <summary>The host's settings cannot be used; <see cref="Problems"/> says why, one sentence each, never quoting a secret.</summary>
public sealed class InvalidPlatformConfigurationException(IReadOnlyList<string> problems)
    : Exception("The platform's configuration is invalid: " + string.Join(" ", problems))
{
    public IReadOnlyList<string> Problems { get; } = problems;
}
