using System.Net.Mime;
using MassTransit;
using MassTransit.Serialization;

namespace Caas.Recovery.Sagas.Scheduling;

/// <summary>
/// Sends a stored envelope as it was serialized when it was scheduled: same message id, headers
/// (the scheduling token among them), message types and body. The bus's own deserializer reads it
/// back, so no CLR type of the message is needed to deliver it.
/// </summary>
internal sealed class ScheduledMessageSendPipe(ScheduledEnvelope message) : IPipe<SendContext>
{
    public Task Send(SendContext context)
    {
        var deserializer = context.Serialization.GetMessageDeserializer(new ContentType(message.ContentType));
        var envelope = deserializer.Deserialize(deserializer.GetMessageBody(message.Body), EmptyHeaders.Instance, message.Destination);

        // A redelivery after a failed send keeps the message id, so consumers can tell it is the same message.
        context.MessageId = envelope.MessageId;
        context.RequestId = envelope.RequestId;
        context.CorrelationId = envelope.CorrelationId;
        context.ConversationId = envelope.ConversationId;
        context.InitiatorId = envelope.InitiatorId;
        context.SourceAddress = envelope.SourceAddress;
        context.ResponseAddress = envelope.ResponseAddress;
        context.FaultAddress = envelope.FaultAddress;
        context.ScheduledMessageId = message.TokenId;
        foreach (var header in envelope.Headers.GetAll())
            context.Headers.Set(header.Key, header.Value);
        context.SupportedMessageTypes = message.MessageTypes.ToArray();
        context.Serializer = envelope.GetMessageSerializer();
        return Task.CompletedTask;
    }

    public void Probe(ProbeContext context) => context.CreateScope("scheduledMessage").Add("tokenId", message.TokenId);
}
