using Caas.Contracts.Jobs;

namespace Caas.Monitoring.Grains.Starvation;

/// <summary>A job found starved: its pace over the window against its baseline, and the likely cause with its evidence.</summary>
public sealed record StarvationFinding(StarvationCause Cause, string Detail, double Rate, double BaselineRate);
