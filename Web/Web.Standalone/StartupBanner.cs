namespace Caas.Web.Standalone;

/// <summary>Tells the person who started the platform where to find it and how to stop it.</summary>
public static class StartupBanner
{
    public static void Print(StandaloneSettings settings)
    {
        Console.WriteLine();
        Console.WriteLine($"  caas is running.");
        Console.WriteLine($"    portal   {settings.Url}");
        Console.WriteLine($"    API      {settings.Url}/api/v1/jobs");
        Console.WriteLine($"    data     {settings.DataDirectory}");
        Console.WriteLine($"  Press Ctrl-C to stop; jobs and history are kept for the next start.");
        Console.WriteLine();
    }
}
