namespace Caas.Contracts.Views;

/// <summary>One page of a longer list, with the total count so callers can page on.</summary>
[GenerateSerializer, Immutable]
public sealed record Page<T>([property: Id(0)] IReadOnlyList<T> Items, [property: Id(1)] int Total, [property: Id(2)] int Skip, [property: Id(3)] int Take);
