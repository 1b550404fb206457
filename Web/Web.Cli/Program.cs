using Caas.Web.Cli;

return await CliApp.RunAsync(args, Console.Out, Console.Error, Environment.GetEnvironmentVariable(CliApp.UrlVariable),
    environmentToken: Environment.GetEnvironmentVariable(CliApp.TokenVariable));
