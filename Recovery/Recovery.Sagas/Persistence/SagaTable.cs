using System.Text.RegularExpressions;

namespace Caas.Recovery.Sagas.Persistence;

/// <summary>
/// Where a saga type's instances live and which top-level JSON properties are indexed for queries.
/// Both names end up in SQL text, so they are checked here, once, for every backend.
/// </summary>
public sealed partial record SagaTable
{
    /// <param name="name">Lower-case letters, digits and underscores.</param>
    /// <param name="indexedJsonProperties">Top-level properties of the JSON that queries filter on: plain identifiers.</param>
    /// <exception cref="ArgumentException">A name is not a plain identifier.</exception>
    public SagaTable(string name, IEnumerable<string>? indexedJsonProperties = null)
    {
        if (name is null || !SqlName().IsMatch(name))
            throw new ArgumentException($"Saga table name '{name}' must be lower-case letters, digits and underscores.", nameof(name));
        var properties = (indexedJsonProperties ?? []).ToList();
        foreach (var property in properties)
        {
            if (property is null || !JsonPropertyName().IsMatch(property))
                throw new ArgumentException($"Indexed JSON property '{property}' must be a plain identifier.", nameof(indexedJsonProperties));
        }
        Name = name;
        IndexedJsonProperties = properties;
    }

    public string Name { get; }

    public IReadOnlyList<string> IndexedJsonProperties { get; }

    /// <exception cref="ArgumentException">The property is not indexed: queries on it would scan the table.</exception>
    public void ThrowIfNotIndexed(string property)
    {
        if (!IndexedJsonProperties.Contains(property, StringComparer.Ordinal))
            throw new ArgumentException($"Saga table '{Name}' has no index on JSON property '{property}'.", nameof(property));
    }

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$")]
    private static partial Regex SqlName();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]{0,62}$")]
    private static partial Regex JsonPropertyName();
}
