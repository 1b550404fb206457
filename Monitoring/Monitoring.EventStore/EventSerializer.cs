using System.Buffers;
using System.Collections.Frozen;
using System.Globalization;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Caas.Contracts.Events;
using Caas.Contracts.Events.Alerts;

namespace Caas.Monitoring.EventStore;

/// <summary>
/// Turns stored events (job events, and the alert and silence events of alerting) into stored (type name, JSON)
/// pairs and back. Type names come from <see cref="EventTypeAttribute"/>, never from CLR names, so event classes can
/// move and be renamed.
/// </summary>
public sealed class EventSerializer
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
    };

    private readonly FrozenDictionary<string, Type> _typesByName;
    private readonly FrozenDictionary<Type, string> _namesByType;

    public EventSerializer()
        : this(typeof(IJobEvent).Assembly.GetTypes().Where(t => t is { IsClass: true, IsAbstract: false } && EventInterfaces.Any(i => i.IsAssignableFrom(t))))
    {
    }

    /// <summary>The kinds of event the store holds; each event type implements one of them.</summary>
    private static readonly Type[] EventInterfaces = [typeof(IJobEvent), typeof(IAlertEvent), typeof(ISilenceEvent)];

    /// <param name="eventTypes">Each must carry <see cref="EventTypeAttribute"/> with a name no other type uses.</param>
    /// <remarks>Private so dependency injection cannot pick it with an empty list of types.</remarks>
    private EventSerializer(IEnumerable<Type> eventTypes)
    {
        var byName = new Dictionary<string, Type>(StringComparer.Ordinal);
        foreach (var type in eventTypes)
        {
            var attribute = type.GetCustomAttribute<EventTypeAttribute>()
                ?? throw new InvalidOperationException($"Event type {type.FullName} has no [EventType] attribute: give it a stable stored name.");
            if (!byName.TryAdd(attribute.Name, type))
                throw new InvalidOperationException($"Event types {byName[attribute.Name].FullName} and {type.FullName} both claim the stored name '{attribute.Name}'.");
        }
        _typesByName = byName.ToFrozenDictionary(StringComparer.Ordinal);
        _namesByType = byName.ToFrozenDictionary(kv => kv.Value, kv => kv.Key);
    }

    public IReadOnlyCollection<string> TypeNames => _typesByName.Keys;

    /// <param name="storedEvent">A job, alert or silence event.</param>
    public string TypeNameOf(object storedEvent)
    {
        ArgumentNullException.ThrowIfNull(storedEvent);
        return _namesByType.TryGetValue(storedEvent.GetType(), out var name)
            ? name
            : throw new UnknownEventTypeException($"{storedEvent.GetType().FullName} is not a known event type (it needs [EventType] and to implement IJobEvent, IAlertEvent or ISilenceEvent).");
    }

    public string Serialize(object storedEvent) => JsonSerializer.Serialize(storedEvent, storedEvent.GetType(), Json);

    /// <summary>
    /// The event with an id that depends only on where it goes and what it says, so a retried write of
    /// the same event is recognised by the store as already done.
    /// </summary>
    public EventData ToEventData(string stream, long version, object storedEvent)
    {
        var type = TypeNameOf(storedEvent);
        var data = Serialize(storedEvent);
        return new EventData(EventId(stream, version, type, data), type, data) { Original = storedEvent };
    }

    /// <summary>
    /// The first 16 bytes of SHA-256 over the UTF-8 of "stream\nversion\ntype\ndata" (ids already stored were made so),
    /// written piece by piece into a pooled buffer: building that text (or its prefix) as a string first cost
    /// allocations on every event of the ingest path.
    /// </summary>
    private static Guid EventId(string stream, long version, string type, string data)
    {
        // A long needs at most 20 digits and a sign; three separators.
        var length = Encoding.UTF8.GetMaxByteCount(stream.Length + type.Length + data.Length) + 24;
        var buffer = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            var written = Encoding.UTF8.GetBytes(stream, buffer);
            buffer[written++] = (byte)'\n';
            version.TryFormat(buffer.AsSpan(written), out var digits, default, CultureInfo.InvariantCulture);
            written += digits;
            buffer[written++] = (byte)'\n';
            written += Encoding.UTF8.GetBytes(type, buffer.AsSpan(written));
            buffer[written++] = (byte)'\n';
            written += Encoding.UTF8.GetBytes(data, buffer.AsSpan(written));
            Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
            SHA256.HashData(buffer.AsSpan(0, written), hash);
            return new Guid(hash[..16]);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <exception cref="UnknownEventTypeException">No job event type is stored under <paramref name="typeName"/>.</exception>
    public IJobEvent Deserialize(string typeName, string data) =>
        DeserializeAny(typeName, data) as IJobEvent
            ?? throw new UnknownEventTypeException($"Stored event type '{typeName}' is not a job event.");

    /// <remarks>The event object the store kept from this process's own append, when it has it: the same value, unparsed.</remarks>
    public IJobEvent Deserialize(RecordedEvent recorded) =>
        recorded.Original is IJobEvent written && IsStoredAs(written, recorded.Type) ? written : Deserialize(recorded.Type, recorded.Data);

    /// <returns>A job, alert or silence event.</returns>
    /// <exception cref="UnknownEventTypeException">No event type is stored under <paramref name="typeName"/>.</exception>
    public object DeserializeAny(string typeName, string data)
    {
        if (!_typesByName.TryGetValue(typeName, out var type))
            throw new UnknownEventTypeException($"Stored event type '{typeName}' is unknown; known types are: {string.Join(", ", _typesByName.Keys.Order(StringComparer.Ordinal))}.");
        try
        {
            return JsonSerializer.Deserialize(data, type, Json)
                ?? throw new JsonException($"Stored event of type '{typeName}' is JSON null.");
        }
        catch (JsonException error)
        {
            throw new JsonException($"Stored event of type '{typeName}' does not match its schema: {error.Message}", error);
        }
    }

    public object DeserializeAny(RecordedEvent recorded) =>
        recorded.Original is { } written && IsStoredAs(written, recorded.Type) ? written : DeserializeAny(recorded.Type, recorded.Data);

    private bool IsStoredAs(object written, string typeName) =>
        _namesByType.TryGetValue(written.GetType(), out var name) && string.Equals(name, typeName, StringComparison.Ordinal);
}
