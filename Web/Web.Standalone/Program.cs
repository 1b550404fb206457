using Caas.Web.Portal.Security;
using Caas.Web.Standalone;

// The platform host. Standalone (default): one process with an Orleans silo (localhost clustering), the in-memory
// bus, the recovery sagas, one node agent and the portal; everything persistent lives under the data directory, so
// a restart shows the same jobs and history. Cluster (Caas:Mode=Cluster): the same host on PostgreSQL and RabbitMQ,
// with the agents as separate processes (Capture.Agent), and Caas:Roles choosing what this process runs: silo, web,
// or both (see StandaloneSettings).
// Content root is the build output, so appsettings.json is found wherever `./caas up` is run from.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
StandaloneSettings settings;
try
{
    settings = StandaloneSettings.From(builder.Configuration);
}
catch (InvalidPlatformConfigurationException invalid)
{
    Console.Error.WriteLine("caas: the configuration is invalid:");
    foreach (var problem in invalid.Problems)
        Console.Error.WriteLine($"  {problem}");
    return 2;
}
builder.AddCaasStandalone(settings);

var app = builder.Build();
app.UseCaasStandalone(settings);
app.Lifetime.ApplicationStarted.Register(() =>
    StartupBanner.Print(settings, app.Services.GetService<AdministratorBootstrap>()?.GeneratedPassword));
app.Run();
return 0;
