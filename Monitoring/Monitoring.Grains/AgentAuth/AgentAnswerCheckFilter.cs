using Caas.Contracts.Bus;
using Caas.Contracts.Services;
using MassTransit;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Caas.Monitoring.Grains.AgentAuth;

/// <summary>
/// In front of the platform's request clients: an agent's answer (a launch check, job output for `caas logs`, a rank
/// step) reaches the code that asked only when <see cref="AgentCredentialCheck"/> admits it; a refused answer is
/// dropped, so the request runs into its timeout as if the node had not answered. Needed besides
/// <see cref="AgentCredentialConsumeFilter{T}"/> because answers arrive at the requester's own endpoint, whose
/// response handlers a request client connects at run time: MassTransit puts a scoped typed filter in front of the
/// consumers, sagas and handlers configured on endpoints, not in front of those. This one is on the consume pipe of
/// every endpoint, the requester's included, and looks only at the answer types.
/// </summary>
public sealed class AgentAnswerCheckFilter(
    IAgentCredentials credentials,
    IAuditTrail audit,
    IOptions<AgentCredentialOptions> options,
    TimeProvider clock,
    ILogger<AgentAnswerCheckFilter> logger) : IFilter<ConsumeContext>
{
    private static readonly IReadOnlyList<(Type Type, Func<ConsumeContext, object?> Read)> Answers =
    [
        Answer<LaunchCheckResult>(), Answer<JobOutputRead>(), Answer<RankStepDone>(), Answer<RankStepFailed>(),
    ];

    // No waiting for the credential store: the request behind an answer times out within seconds anyway.
    private readonly AgentCredentialCheck check = new(credentials, audit, clock, logger, []);

    public async Task Send(ConsumeContext context, IPipe<ConsumeContext> next)
    {
        if (options.Value.Required && Answers.FirstOrDefault(a => context.HasMessageType(a.Type)) is { Read: { } read }
            && read(context) is { } answer && !await check.AdmitsAsync(answer, context.Headers, context.CancellationToken))
            return;
        await next.Send(context);
    }

    private static (Type, Func<ConsumeContext, object?>) Answer<T>() where T : class =>
        (typeof(T), context => context.TryGetMessage<T>(out var typed) ? typed.Message : null);

    public void Probe(ProbeContext context) => context.CreateFilterScope("agentAnswerCredential");
}
