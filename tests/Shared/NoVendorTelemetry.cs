using System.Runtime.CompilerServices;

namespace Caas.Tests.Support;

/// <summary>
/// MassTransit 8.4+ sends usage telemetry to its vendor when a bus starts unless told not to. The platform's hosts
/// turn it off in code; this turns it off for every bus the tests build themselves, and for the processes they start.
/// Linked into every test project by tests/Directory.Build.props.
/// </summary>
internal static class NoVendorTelemetry
{
    [ModuleInitializer]
    internal static void Disable() => Environment.SetEnvironmentVariable("MASSTRANSIT_USAGE_TELEMETRY", "false");
}
