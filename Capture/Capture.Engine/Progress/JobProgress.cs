namespace Caas.Capture.Engine.Progress;

/// <summary>What the agent last heard from a job: progress fraction (null if it never reported one), its message, and when it last reported or heartbeated.</summary>
public sealed record JobProgress(double? Fraction, string? Message, DateTimeOffset? LastReportAt);
