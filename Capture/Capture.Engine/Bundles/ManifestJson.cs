using System.Text.Json;
using System.Text.Json.Serialization;

namespace Caas.Capture.Engine.Bundles;

/// <summary>The one JSON shape of manifests, shared by writer and verifier so that the signed bytes are reproducible.</summary>
internal static class ManifestJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        RespectRequiredConstructorParameters = true,
        RespectNullableAnnotations = true,
    };

    /// <summary>The bytes a signature covers: the manifest without its signature.</summary>
    public static byte[] Canonical(CheckpointManifest manifest) =>
        JsonSerializer.SerializeToUtf8Bytes(manifest with { Signature = null }, Options);
}
