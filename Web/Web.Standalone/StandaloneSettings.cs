namespace Caas.Web.Standalone;

/// <summary>The few choices the standalone host makes itself; everything else is bound by each area from "Caas:*".</summary>
public sealed record StandaloneSettings(string DataDirectory, string Url, string NodeId, int SiloPort, int GatewayPort)
{
    public string DatabasePath => Path.Combine(DataDirectory, "caas.db");

    public static StandaloneSettings From(IConfiguration configuration, IHostEnvironment environment)
    {
        var dataDirectory = Path.GetFullPath(configuration["Caas:DataDirectory"]
            ?? Path.Combine(Directory.GetCurrentDirectory(), ".data"));
        Directory.CreateDirectory(dataDirectory);
        return new StandaloneSettings(
            dataDirectory,
            configuration["Caas:Url"] ?? "http://127.0.0.1:5000",
            configuration["Caas:Agent:NodeId"] ?? "local",
            configuration.GetValue("Caas:Orleans:SiloPort", 11111),
            configuration.GetValue("Caas:Orleans:GatewayPort", 30000));
    }
}
