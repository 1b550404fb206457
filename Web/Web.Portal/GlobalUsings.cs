global using Caas.Contracts.Jobs;
global using Caas.Contracts.Services;
global using Caas.Contracts.Views;
global using Caas.Contracts.Alerts;
global using Caas.Contracts.Audit;
