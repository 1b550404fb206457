namespace Caas.Recovery.Tests;

/// <summary>A message the scheduler tests schedule; Note tells them apart.</summary>
public sealed record Reminder(string Note, int Number);
