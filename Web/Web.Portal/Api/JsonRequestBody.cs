using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Caas.Web.Portal.Api;

/// <summary>
/// Reads a JSON request body itself, so that malformed JSON, wrong types and unknown fields become a 400
/// problem that says what was wrong, instead of the framework's silent 400.
/// </summary>
internal static class JsonRequestBody
{
    private const int MaxBytes = 1024 * 1024;

    /// <returns>The body, or <paramref name="whenEmpty"/> when the request has no body.</returns>
    public static async Task<T> ReadAsync<T>(HttpRequest request, JsonSerializerOptions options, T? whenEmpty, CancellationToken cancellationToken)
        where T : class
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > MaxBytes)
                throw new OperationRejectedException(RejectionKind.Invalid, $"The request body is larger than {MaxBytes / 1024} KiB.");
            buffer.Write(chunk, 0, read);
        }
        if (buffer.Length == 0 || buffer.ToArray().All(b => b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n'))
            return whenEmpty ?? throw new OperationRejectedException(RejectionKind.Invalid, "The request needs a JSON body.");
        T? value;
        try
        {
            value = JsonSerializer.Deserialize<T>(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), options);
        }
        catch (JsonException e)
        {
            throw new OperationRejectedException(RejectionKind.Invalid, $"The request body is not acceptable JSON: {Describe(e)}");
        }
        return value ?? whenEmpty ?? throw new OperationRejectedException(RejectionKind.Invalid, "The request body is JSON null; send an object.");
    }

    private static string Describe(JsonException e)
    {
        // The serializer's own message names CLR types; say it in terms of the JSON the client sent.
        var where = string.IsNullOrEmpty(e.Path) || e.Path == "$" ? "" : $" at '{e.Path}'";
        var position = e.LineNumber is { } line ? $" (line {line + 1}, byte {e.BytePositionInLine + 1})" : "";
        if (e.Message.Contains("could not be mapped to any .NET member", StringComparison.Ordinal))
            return $"unknown field{where}{position}.";
        if (e.Message.Contains("could not be converted", StringComparison.Ordinal))
            return $"wrong type of value{where}{position}.";
        return $"malformed JSON{where}{position}.";
    }
}
