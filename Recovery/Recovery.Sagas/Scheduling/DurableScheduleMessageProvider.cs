using MassTransit;
using MassTransit.Context;
using MassTransit.Scheduling;
using MassTransit.Serialization;

namespace Caas.Recovery.Sagas.Scheduling;

/// <summary>
/// MassTransit's scheduler contract carried out on <see cref="IScheduledMessageStore"/>: the message
/// is serialized as the envelope it will travel in (headers, message types, scheduling token) and
/// stored before ScheduleSend returns; <see cref="ScheduledMessageDispatcher"/> sends it when due.
/// </summary>
public sealed class DurableScheduleMessageProvider(IScheduledMessageStore store, DispatchSignal signal, TimeProvider time) : IScheduleMessageProvider
{
    public async Task<ScheduledMessage<T>> ScheduleSend<T>(Uri destinationAddress, DateTime scheduledTime, T message, IPipe<SendContext<T>> pipe,
        CancellationToken cancellationToken)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(destinationAddress);
        ArgumentNullException.ThrowIfNull(message);
        if (!MessageTypeCache<T>.IsValidMessageType)
            throw new ArgumentException(MessageTypeCache<T>.InvalidMessageTypeReason, nameof(message));

        var tokenId = ScheduleTokenIdCache<T>.GetTokenId(message);
        var envelope = new MessageSendContext<T>(message, cancellationToken) { DestinationAddress = destinationAddress };
        if (pipe.IsNotEmpty())
            await pipe.Send(envelope).ConfigureAwait(false);
        envelope.ScheduledMessageId = tokenId;
        // The token travels with the message: the saga compares it with the one it holds and ignores a stale timeout.
        envelope.Headers.Set(MessageHeaders.SchedulingTokenId, tokenId.ToString("D"));
        var body = SystemTextJsonMessageSerializer.Instance.GetMessageBody(envelope);

        var dueAt = new DateTimeOffset(scheduledTime.Kind == DateTimeKind.Local ? scheduledTime.ToUniversalTime() : DateTime.SpecifyKind(scheduledTime, DateTimeKind.Utc));
        await store.ScheduleAsync(new ScheduledEnvelope(tokenId, destinationAddress, dueAt, MessageTypeCache<T>.MessageTypeNames,
            SystemTextJsonMessageSerializer.JsonContentType.ToString(), body.GetString()), cancellationToken).ConfigureAwait(false);
        signal.Notify();
        return new ScheduledMessageHandle<T>(tokenId, dueAt.UtcDateTime, destinationAddress, message);
    }

    public Task CancelScheduledSend(Guid tokenId, CancellationToken cancellationToken) =>
        store.CancelAsync(tokenId, time.GetUtcNow(), cancellationToken);

    // A token names one message whatever its destination.
    public Task CancelScheduledSend(Uri destinationAddress, Guid tokenId, CancellationToken cancellationToken) =>
        store.CancelAsync(tokenId, time.GetUtcNow(), cancellationToken);
}
