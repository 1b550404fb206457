using Caas.Web.Portal.Security;
using Caas.Web.Standalone;

// The all-in-one platform: one process with an Orleans silo (localhost clustering), the in-memory
// bus, the recovery sagas, one node agent and the portal. Everything persistent lives under the
// data directory, so a restart shows the same jobs and history.
// Content root is the build output, so appsettings.json is found wherever `./caas up` is run from.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
var settings = StandaloneSettings.From(builder.Configuration, builder.Environment);
builder.AddCaasStandalone(settings);

var app = builder.Build();
app.UseCaasStandalone();
app.Lifetime.ApplicationStarted.Register(() =>
    StartupBanner.Print(settings, app.Services.GetRequiredService<AdministratorBootstrap>().GeneratedPassword));
app.Run();
