using System.Buffers.Binary;
using System.Text;

namespace Caas.Capture.Engine.Bundles.Dedup;

/// <summary>
/// The stored form of a page image in an incremental bundle: which of its 4 KiB pages are new (stored
/// here, in image order) and which are the same as a page of the parent checkpoint's decoded images.
/// Little-endian layout:
/// <code>
/// "CAASPD01"  int64 imagePages  int64 newPages  int32 newPagesEncoding (0 raw, 1 zstd)  int64 newBlockBytes
/// int32 parentImageCount, each: int32 length + UTF-8 image path in the parent bundle
/// int32 runCount, each: int32 source (-1 new pages, else parent image index)  int64 firstPage  int64 pageCount
/// the new pages block (newBlockBytes bytes, to the end of the file)
/// </code>
/// Every count and reference is checked against the file and the parent before anything is decoded.
/// </summary>
public sealed record PageDelta(long ImagePages, long NewPages, bool NewPagesCompressed, long NewBlockBytes, IReadOnlyList<string> ParentImages, IReadOnlyList<PageRun> Runs)
{
    public const int PageBytes = 4096;
    public const int NewPagesSource = -1;
    private static readonly byte[] Magic = "CAASPD01"u8.ToArray();
    private const int MaxParentImages = 4096;
    private const int MaxPathBytes = 4096;
    /// <summary>A run on disk: int32 source, int64 first page, int64 page count.</summary>
    private const int RunBytes = 20;

    /// <summary>Writes the header and runs; the new pages block follows.</summary>
    public void WriteHeader(Stream output)
    {
        var header = new MemoryStream();
        header.Write(Magic);
        WriteInt64(header, ImagePages);
        WriteInt64(header, NewPages);
        WriteInt32(header, NewPagesCompressed ? 1 : 0);
        WriteInt64(header, NewBlockBytes);
        WriteInt32(header, ParentImages.Count);
        foreach (var image in ParentImages)
        {
            var bytes = Encoding.UTF8.GetBytes(image);
            WriteInt32(header, bytes.Length);
            header.Write(bytes);
        }
        WriteInt32(header, Runs.Count);
        foreach (var run in Runs)
        {
            WriteInt32(header, run.Source);
            WriteInt64(header, run.FirstPage);
            WriteInt64(header, run.PageCount);
        }
        header.Position = 0;
        header.CopyTo(output);
    }

    /// <summary>Reads and checks the header against the stored file's length and the image size the manifest declares; leaves the stream at the new pages block.</summary>
    /// <param name="parentImagePages">Pages of each image of the parent's decoded bundle, by image path.</param>
    /// <exception cref="InvalidDataException">With what is wrong; the caller refuses the bundle with it.</exception>
    public static PageDelta ReadHeader(Stream input, long declaredImageBytes, IReadOnlyDictionary<string, long> parentImagePages)
    {
        Span<byte> magic = stackalloc byte[8];
        ReadExactly(input, magic);
        if (!magic.SequenceEqual(Magic))
            throw new InvalidDataException("it is not a page delta (bad magic)");
        var imagePages = ReadInt64(input);
        var newPages = ReadInt64(input);
        var encoding = ReadInt32(input);
        var newBlockBytes = ReadInt64(input);
        // Divided, not multiplied: a crafted page count must not wrap around to the declared size.
        if (imagePages < 0 || declaredImageBytes % PageBytes != 0 || imagePages != declaredImageBytes / PageBytes)
            throw new InvalidDataException($"it holds {imagePages} pages, the manifest declares an image of {declaredImageBytes} bytes");
        if (newPages < 0 || newPages > imagePages)
            throw new InvalidDataException($"it claims {newPages} new pages of {imagePages}");
        if (encoding is not (0 or 1))
            throw new InvalidDataException($"its new pages have the unknown encoding {encoding}");
        var parentCount = ReadInt32(input);
        if (parentCount is < 0 or > MaxParentImages)
            throw new InvalidDataException($"it names {parentCount} parent images");
        var parents = new List<string>(parentCount);
        for (var i = 0; i < parentCount; i++)
        {
            var length = ReadInt32(input);
            if (length is < 1 or > MaxPathBytes)
                throw new InvalidDataException($"parent image name {i} has {length} bytes");
            var name = new byte[length];
            ReadExactly(input, name);
            var path = Encoding.UTF8.GetString(name);
            if (!parentImagePages.ContainsKey(path))
                throw new InvalidDataException($"it refers to {path}, which the parent checkpoint does not have");
            parents.Add(path);
        }
        var runCount = ReadInt32(input);
        if (runCount < 0 || runCount > imagePages || (long)runCount * RunBytes > input.Length - input.Position)
            throw new InvalidDataException($"it has {runCount} runs for {imagePages} pages, or more than the file holds");
        var runs = new List<PageRun>(runCount);
        long covered = 0, newSeen = 0;
        for (var i = 0; i < runCount; i++)
        {
            var run = new PageRun(ReadInt32(input), ReadInt64(input), ReadInt64(input));
            if (run.PageCount < 1 || run.FirstPage < 0 || run.PageCount > imagePages - covered)
                throw new InvalidDataException($"run {i} ({run.PageCount} pages from page {run.FirstPage}) is out of range");
            if (run.Source == NewPagesSource)
            {
                // New pages are stored in image order, so that the block can be decoded as one stream.
                if (run.FirstPage != newSeen)
                    throw new InvalidDataException($"run {i} starts at new page {run.FirstPage}, expected {newSeen}");
                newSeen += run.PageCount;
            }
            else if (run.Source < 0 || run.Source >= parents.Count)
                throw new InvalidDataException($"run {i} refers to parent image {run.Source} of {parents.Count}");
            else if (run.FirstPage > parentImagePages[parents[run.Source]] - run.PageCount)
                throw new InvalidDataException($"run {i} refers to pages {run.FirstPage}..{run.FirstPage + run.PageCount - 1} of {parents[run.Source]}, which has {parentImagePages[parents[run.Source]]}");
            covered += run.PageCount;
            runs.Add(run);
        }
        if (covered != imagePages || newSeen != newPages)
            throw new InvalidDataException($"its runs cover {covered} of {imagePages} pages and {newSeen} of {newPages} new pages");
        if (newBlockBytes < 0 || newBlockBytes != input.Length - input.Position)
            throw new InvalidDataException($"its new pages block should have {newBlockBytes} bytes, the file has {input.Length - input.Position} after the header");
        if (encoding == 0 && newBlockBytes != newPages * PageBytes)
            throw new InvalidDataException($"its {newPages} raw new pages take {newBlockBytes} bytes");
        return new PageDelta(imagePages, newPages, encoding == 1, newBlockBytes, parents, runs);
    }

    private static void WriteInt32(Stream s, int value)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(b, value);
        s.Write(b);
    }

    private static void WriteInt64(Stream s, long value)
    {
        Span<byte> b = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(b, value);
        s.Write(b);
    }

    private static int ReadInt32(Stream s)
    {
        Span<byte> b = stackalloc byte[4];
        ReadExactly(s, b);
        return BinaryPrimitives.ReadInt32LittleEndian(b);
    }

    private static long ReadInt64(Stream s)
    {
        Span<byte> b = stackalloc byte[8];
        ReadExactly(s, b);
        return BinaryPrimitives.ReadInt64LittleEndian(b);
    }

    private static void ReadExactly(Stream s, Span<byte> buffer)
    {
        try
        {
            s.ReadExactly(buffer);
        }
        catch (EndOfStreamException)
        {
            throw new InvalidDataException("it ends inside its header");
        }
    }
}
