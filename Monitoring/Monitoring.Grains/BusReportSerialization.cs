using Caas.Contracts.Bus;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;

namespace Caas.Monitoring.Grains;

/// <summary>
/// IJobGrain takes the agents' bus reports (JobLaunched, CheckpointCompleted...) as arguments, but those records
/// carry no Orleans serializer attributes. Until they do, Orleans carries them as JSON: every silo and client that
/// calls IJobGrain needs this, or Orleans refuses to start.
/// </summary>
public static class BusReportSerialization
{
    public static IServiceCollection AddCaasBusReportSerialization(this IServiceCollection services) =>
        services.AddSerializer(serializer => serializer.AddJsonSerializer(isSupported: IsBusRecord));

    private static bool IsBusRecord(Type type) =>
        type.Assembly == typeof(JobLaunched).Assembly && type.Namespace == typeof(JobLaunched).Namespace;
}
