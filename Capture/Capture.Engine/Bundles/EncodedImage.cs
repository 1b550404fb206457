namespace Caas.Capture.Engine.Bundles;

/// <summary>
/// What a stored file decodes to: the engine image at <paramref name="Path"/> (relative to the bundle) of
/// exactly <paramref name="Size"/> bytes, by <paramref name="Encoding"/> (see <see cref="ImageEncodings"/>).
/// The declared size bounds every decoder: a stored file that decodes to more or fewer bytes is refused.
/// </summary>
public sealed record EncodedImage(string Path, long Size, string Encoding);
