using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace Caas.Web.Portal.Api;

/// <summary>Parses query-string values itself so that a bad value is a 400 problem naming the parameter.</summary>
internal static class ListQuery
{
    public const int DefaultTake = 50;
    public const int MaxTake = 500;

    public static (int Skip, int Take) Paging(HttpRequest request)
    {
        var skip = Integer(request, "skip", 0);
        var take = Integer(request, "take", DefaultTake);
        if (skip < 0)
            throw new OperationRejectedException(RejectionKind.Invalid, "'skip' must be 0 or more.");
        if (take is < 1 or > MaxTake)
            throw new OperationRejectedException(RejectionKind.Invalid, $"'take' must be between 1 and {MaxTake}.");
        return (skip, take);
    }

    public static JobStatus? Status(HttpRequest request) => Choice<JobStatus>(request, "status");

    /// <summary>One of <typeparamref name="TEnum"/>'s names (any case), or null when absent; numbers are refused.</summary>
    public static TEnum? Choice<TEnum>(HttpRequest request, string name) where TEnum : struct, Enum
    {
        var text = request.Query[name].ToString();
        if (text.Length == 0)
            return null;
        if (Enum.TryParse<TEnum>(text, ignoreCase: true, out var value) && Enum.IsDefined(value) && !char.IsDigit(text[0]))
            return value;
        throw new OperationRejectedException(RejectionKind.Invalid,
            $"'{name}' must be one of {string.Join(", ", Enum.GetNames<TEnum>())}; got '{text}'.");
    }

    public static bool Flag(HttpRequest request, string name)
    {
        var text = request.Query[name].ToString();
        if (text.Length == 0)
            return false;
        if (bool.TryParse(text, out var value))
            return value;
        throw new OperationRejectedException(RejectionKind.Invalid, $"'{name}' must be true or false; got '{text}'.");
    }

    /// <summary>A free-text value, trimmed; null when absent or blank; longer than <paramref name="maxLength"/> is refused.</summary>
    public static string? Text(HttpRequest request, string name, int maxLength)
    {
        var text = request.Query[name].ToString().Trim();
        if (text.Length > maxLength)
            throw new OperationRejectedException(RejectionKind.Invalid, $"'{name}' may have at most {maxLength} characters.");
        return text.Length == 0 ? null : text;
    }

    /// <summary>"desc" (the default) or "asc".</summary>
    public static bool Order(HttpRequest request, string name)
    {
        var text = request.Query[name].ToString();
        return text.ToLowerInvariant() switch
        {
            "" or "desc" => true,
            "asc" => false,
            _ => throw new OperationRejectedException(RejectionKind.Invalid, $"'{name}' must be asc or desc; got '{text}'."),
        };
    }

    public static int Integer(HttpRequest request, string name, int fallback)
    {
        var text = request.Query[name].ToString();
        if (text.Length == 0)
            return fallback;
        if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
            return value;
        throw new OperationRejectedException(RejectionKind.Invalid, $"'{name}' must be a whole number; got '{text}'.");
    }

    /// <summary>A whole number that may exceed int (a byte offset), or null when absent.</summary>
    public static long? LongInteger(HttpRequest request, string name)
    {
        var text = request.Query[name].ToString();
        if (text.Length == 0)
            return null;
        if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
            return value;
        throw new OperationRejectedException(RejectionKind.Invalid, $"'{name}' must be a whole number; got '{text}'.");
    }
}
