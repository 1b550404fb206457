using System.Text;
using Caas.Contracts.Jobs;
using Caas.Capture.Agent.Jobs;

namespace Caas.Capture.Tests;

/// <summary>Reading a job's captured output: the last lines, a window from an offset, whole lines and whole characters.</summary>
[Trait("Category", "Unit")]
public sealed class JobOutputFilesTests : IDisposable
{
    private readonly TemporaryDirectory directory = new();

    public void Dispose() => directory.Dispose();

    private void WriteStdout(string text) => File.WriteAllText(directory.Combine("stdout.log"), text, new UTF8Encoding(false));

    private Caas.Contracts.Bus.JobOutputRead Read(long? from = null, int tail = 100, int maxBytes = 65536, JobOutputStream stream = JobOutputStream.Stdout) =>
        JobOutputFiles.Read("node-a", "job-000000000a", stream, directory.Path, from, tail, maxBytes);

    [Fact]
    public void The_tail_is_the_last_lines_ending_at_the_file_end()
    {
        WriteStdout("one\ntwo\nthree\nfour\n");

        var read = Read(tail: 2);

        Assert.Equal(("three\nfour\n", 8L, 19L, 19L, true), (read.Text, read.Start, read.End, read.Length, read.Exists));
    }

    [Fact]
    public void A_tail_longer_than_the_file_is_the_whole_file_and_a_last_line_without_newline_counts()
    {
        WriteStdout("one\ntwo\npartial");

        Assert.Equal("one\ntwo\npartial", Read(tail: 10).Text);
        Assert.Equal("partial", Read(tail: 1).Text);
    }

    [Fact]
    public void A_tail_cut_by_max_bytes_leaves_out_the_partial_first_line()
    {
        WriteStdout("aaaaaaaaaa\nbbb\nccc\n");

        var read = Read(tail: 10, maxBytes: 10);

        Assert.Equal("bbb\nccc\n", read.Text);
        Assert.Equal(11, read.Start);
    }

    [Fact]
    public void Reading_on_from_an_offset_answers_whole_lines_and_the_next_read_starts_where_it_ended()
    {
        WriteStdout("line 1\nline 2\nline 3\n");

        var first = Read(from: 0, maxBytes: 10);
        var second = Read(from: first.End, maxBytes: 100);
        var atEnd = Read(from: second.End);
        var beyond = Read(from: 1000);

        Assert.Equal(("line 1\n", 0L, 7L), (first.Text, first.Start, first.End));
        Assert.Equal(("line 2\nline 3\n", 7L, 21L), (second.Text, second.Start, second.End));
        Assert.Equal(("", 21L, 21L), (atEnd.Text, atEnd.Start, atEnd.End));
        Assert.Equal(("", 21L, 21L), (beyond.Text, beyond.Start, beyond.End));
    }

    [Fact]
    public void A_line_longer_than_the_window_is_cut_between_characters_never_inside_one()
    {
        // "é" is two bytes: a 4-byte window over "aéé…" ends after "aé" (3 bytes), not inside the second "é".
        WriteStdout("aéééé\n");

        var first = Read(from: 0, maxBytes: 4);
        var second = Read(from: first.End, maxBytes: 4);

        Assert.Equal(("aé", 3L), (first.Text, first.End));
        Assert.Equal(("éé", 7L), (second.Text, second.End));
    }

    [Fact]
    public void Stderr_is_its_own_file_and_a_missing_file_is_no_output()
    {
        File.WriteAllText(directory.Combine("stderr.log"), "oops\n");

        Assert.Equal("oops\n", Read(stream: JobOutputStream.Stderr).Text);
        var stdout = Read();
        Assert.Equal((false, ""), (stdout.Exists, stdout.Text));
    }
}
