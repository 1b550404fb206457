namespace Caas.Recovery.Sagas.Scheduling;

/// <summary>
/// A message waiting to be sent: its serialized MassTransit envelope (body, message types, headers
/// including the scheduling token), where it goes and when. Delivering it needs none of its CLR types.
/// </summary>
/// <param name="TokenId">The scheduling token: the saga's handle to cancel it, and the header that tells a current timeout from a stale one.</param>
/// <param name="MessageTypes">The message's type URNs (urn:message:...), as MassTransit names them on the wire.</param>
/// <param name="ContentType">How <paramref name="Body"/> is serialized; the bus's deserializer for it reads it back.</param>
public sealed record ScheduledEnvelope(Guid TokenId, Uri Destination, DateTimeOffset DueAt, IReadOnlyList<string> MessageTypes, string ContentType, string Body);
