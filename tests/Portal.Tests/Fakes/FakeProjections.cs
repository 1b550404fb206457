namespace Caas.Portal.Tests.Fakes;

/// <summary>
/// A hand-written stand-in for the projection feed: views in a list, rebuild requests recorded, unknown names refused as
/// the real one refuses. A rebuild gets halfway at the next listing and done at the one after, as a real one moves on.
/// </summary>
public sealed class FakeProjections : IProjectionOperations
{
    private readonly Lock gate = new();

    public List<ProjectionView> Views { get; } = [];
    public List<string?> Rebuilt { get; } = [];

    public Task<IReadOnlyList<ProjectionView>> ListProjectionsAsync(CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            var now = Views.ToArray();
            for (var i = 0; i < Views.Count; i++)
            {
                if (Views[i] is { Rebuilding: true } rebuilding)
                {
                    var next = Math.Min(rebuilding.RebuildTarget, rebuilding.Position + Math.Max(1, rebuilding.RebuildTarget / 2));
                    Views[i] = rebuilding with { Position = next, Rebuilding = next < rebuilding.RebuildTarget };
                }
            }
            return Task.FromResult<IReadOnlyList<ProjectionView>>(now);
        }
    }

    public Task<IReadOnlyList<ProjectionView>> RebuildAsync(string? name, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            if (name is not null && Views.All(v => v.Name != name))
                throw new OperationRejectedException(RejectionKind.NotFound, $"No projection is named '{name}'.");
            Rebuilt.Add(name);
            for (var i = 0; i < Views.Count; i++)
            {
                if (name is null || Views[i].Name == name)
                    Views[i] = Views[i] with { Position = 0, Rebuilding = true, RebuildTarget = Views[i].HeadPosition };
            }
            return Task.FromResult<IReadOnlyList<ProjectionView>>(Views.Where(v => name is null || v.Name == name).ToArray());
        }
    }
}
