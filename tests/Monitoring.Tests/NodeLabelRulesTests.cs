using Caas.Contracts.Jobs;

namespace Caas.Monitoring.Tests;

/// <summary>Labels jobs require and agents carry, and how a job spec's pool and labels are checked before anything is recorded.</summary>
[Trait("Category", "Unit")]
public sealed class NodeLabelRulesTests
{
    [Fact]
    public void Labels_are_read_from_key_value_pairs_and_a_node_satisfies_a_job_only_with_every_required_value()
    {
        var node = NodeLabelRules.Parse("gpu=a100, zone=eu-1");

        Assert.True(NodeLabelRules.Satisfies(node, NodeLabelRules.Parse("zone=eu-1")));
        Assert.True(NodeLabelRules.Satisfies(node, NodeLabelRules.Parse("")));
        Assert.False(NodeLabelRules.Satisfies(node, NodeLabelRules.Parse("zone=eu-1,gpu=k80")));
        Assert.False(NodeLabelRules.Satisfies(node, NodeLabelRules.Parse("disk=ssd")));
        Assert.Equal("Label \"gpu\" must be written name=value.", Assert.Throws<FormatException>(() => NodeLabelRules.Parse("gpu")).Message);
        Assert.Equal("Label gpu is given twice.", Assert.Throws<FormatException>(() => NodeLabelRules.Parse("gpu=a,gpu=b")).Message);
    }

    [Fact]
    public void A_spec_with_a_bad_pool_or_bad_labels_is_refused_with_a_sentence_for_each()
    {
        var spec = new JobSpec
        {
            Command = "/bin/true",
            Pool = "cloud a",
            NodeLabels = new Dictionary<string, string> { ["gpu"] = "a 100", [""] = "x", ["zone"] = "eu-1" },
        };

        Assert.Equal(
            [
                "'pool' must be 1 to 63 letters, digits, '-', '_' or '.'.",
                "'nodeLabels' label gpu has value \"a 100\"; values must be 1 to 63 letters, digits, '-', '_' or '.'.",
                "'nodeLabels' label name \"\" must be 1 to 63 letters, digits, '-', '_', '.' or '/'.",
            ],
            JobSpecValidator.Validate(spec));
        Assert.Empty(JobSpecValidator.Validate(spec with { Pool = "cloud-a", NodeLabels = NodeLabelRules.Parse("gpu=a100,example.com/zone=eu-1") }));
        Assert.Equal(["'nodeLabels' must be an object of label names to values (it may be empty)."], JobSpecValidator.Validate(spec with { Pool = null, NodeLabels = null! }));
    }
}
