using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace Caas.Contracts.Jobs;

/// <summary>Job ids are short, readable and safe as file names and stream names: "job-" and 10 lower-case hex digits.</summary>
public static partial class JobIds
{
    public static string New() => "job-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(5));

    public static bool IsValid(string? id) => id is not null && Pattern().IsMatch(id);

    [GeneratedRegex("^job-[0-9a-f]{10}$")]
    private static partial Regex Pattern();
}
