namespace Caas.Web.Cli;

/// <summary>The API answered with a 4xx problem; Message is its detail, for people.</summary>
public sealed class ApiRefusedException(int status, string message) : Exception(message)
{
    public int Status { get; } = status;
}
