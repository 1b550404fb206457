using System.Net.Sockets;
using System.Text;
using Caas.Capture.Engine.Progress;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Caas.Capture.Tests;

[Trait("Category", "Unit")]
public sealed class ProgressChannelTests : IAsyncLifetime
{
    private const string Job = "job-0123456789";
    private readonly TemporaryDirectory _directory = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 26, 9, 0, 0, TimeSpan.Zero));
    private readonly ProgressChannel _channel;
    private readonly Socket _sender = new(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);

    public ProgressChannelTests() => _channel = new ProgressChannel(_time, NullLogger<ProgressChannel>.Instance);

    private string SocketPath => _directory.Combine("progress.sock");

    public Task InitializeAsync()
    {
        // A socket file left by a crashed agent must not stop the next one from binding.
        File.WriteAllText(SocketPath, "stale");
        _channel.Bind(SocketPath);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        _sender.Dispose();
        await _channel.DisposeAsync();
        _directory.Dispose();
    }

    private async Task Send(params byte[][] datagrams)
    {
        foreach (var datagram in datagrams)
            await _sender.SendToAsync(datagram, SocketFlags.None, new UnixDomainSocketEndPoint(SocketPath));
        await _channel.FlushAsync();
    }

    private static byte[] Text(string text) => Encoding.UTF8.GetBytes(text);

    [Fact]
    public async Task Keeps_the_last_progress_and_message_of_each_job_with_the_time_it_arrived()
    {
        await Send(Text($"caas1 {Job} progress 0.250000 quarter"));
        _time.Advance(TimeSpan.FromSeconds(3));
        await Send(Text($"caas1 {Job} progress 0.500000 half way there"), Text("caas1 job-aaaaaaaaaa progress 0.100000 "));

        Assert.Equal(new JobProgress(0.5, "half way there", _time.GetUtcNow()), _channel.Get(Job));
        Assert.Equal(new JobProgress(0.1, null, _time.GetUtcNow()), _channel.Get("job-aaaaaaaaaa"));
        Assert.Null(_channel.Get("job-bbbbbbbbbb"));
        Assert.Equal(0, _channel.MalformedCount);
    }

    [Fact]
    public async Task A_heartbeat_refreshes_the_report_time_and_keeps_the_progress()
    {
        await Send(Text($"caas1 {Job} progress 0.300000 working"));
        var first = _time.GetUtcNow();
        _time.Advance(TimeSpan.FromSeconds(10));
        await Send(Text($"caas1 {Job} heartbeat"));

        Assert.Equal(new JobProgress(0.3, "working", first.AddSeconds(10)), _channel.Get(Job));
    }

    [Fact]
    public async Task A_heartbeat_before_any_progress_reports_time_but_no_fraction()
    {
        await Send(Text($"caas1 {Job} heartbeat"));

        Assert.Equal(new JobProgress(null, null, _time.GetUtcNow()), _channel.Get(Job));
    }

    [Fact]
    public async Task Malformed_datagrams_are_counted_and_change_nothing()
    {
        await Send(Text($"caas1 {Job} progress 0.200000 good"));
        var before = _channel.Get(Job);
        _time.Advance(TimeSpan.FromSeconds(1));

        byte[][] malformed =
        [
            Text("garbage"),
            [],
            Text($"caas1 {Job} progress 1.500000 too far"),
            Text($"caas1 {Job} progress -0.1 negative"),
            Text($"caas1 {Job} progress NaN "),
            Text($"caas1 {Job} progress 1e-3 exponent"),
            Text($"caas1 {Job} progress"),
            Text($"caas1 {Job} progress 0.5 bell\u0007"),
            Text("caas1 not-a-job progress 0.5 "),
            Text($"caas2 {Job} progress 0.5 "),
            Text($"caas1 {Job} heartbeat extra"),
            Text($"caas1 {Job} restart"),
            [0x63, 0x61, 0x61, 0x73, 0x31, 0x20, 0xff, 0xfe],
            Text($"caas1 {Job} progress 0.5 " + new string('x', ProgressReport.MaxMessageLength + 1)),
        ];
        await Send(malformed);

        Assert.Equal(malformed.Length, _channel.MalformedCount);
        Assert.Equal(before, _channel.Get(Job));
        // Still receiving after all that.
        await Send(Text($"caas1 {Job} progress 0.900000 "));
        Assert.Equal(0.9, _channel.Get(Job)!.Fraction);
    }

    [Fact]
    public async Task Reads_the_last_complete_line_of_a_progress_file()
    {
        var file = _directory.Combine("progress");
        _channel.WatchFile(Job, file);
        Assert.Null(_channel.Get(Job));

        await File.WriteAllTextAsync(file, "0.4 reading input\n0.5 writing output\n0.6 half a li");
        Assert.Equal(new JobProgress(0.5, "writing output", _time.GetUtcNow()), _channel.Get(Job));

        _time.Advance(TimeSpan.FromSeconds(2));
        await File.AppendAllTextAsync(file, "ne\n0.7\n");
        Assert.Equal(new JobProgress(0.7, null, _time.GetUtcNow()), _channel.Get(Job));

        await File.AppendAllTextAsync(file, "not a number\n");
        Assert.Equal(0.7, _channel.Get(Job)!.Fraction);
        Assert.Equal(1, _channel.MalformedCount);
    }

    [Fact]
    public async Task Reset_forgets_what_a_previous_incarnation_reported_on_socket_and_file()
    {
        var file = _directory.Combine("progress");
        _channel.WatchFile(Job, file);
        await File.WriteAllTextAsync(file, "0.8 old copy\n");
        await Send(Text($"caas1 {Job} progress 0.900000 old copy"));
        Assert.Equal(0.9, _channel.Get(Job)!.Fraction);

        _channel.Reset(Job);

        Assert.Null(_channel.Get(Job));
        await File.AppendAllTextAsync(file, "0.3 restored\n");
        Assert.Equal(new JobProgress(0.3, "restored", _time.GetUtcNow()), _channel.Get(Job));
    }
}
