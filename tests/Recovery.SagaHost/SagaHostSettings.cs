using Caas.Recovery.Sagas;

namespace Caas.Recovery.SagaHost;

/// <summary>
/// What the saga host reads from its environment (not its command line: a password there would show
/// in every process listing).
/// </summary>
public sealed record SagaHostSettings(string Postgres, Uri RabbitMq, string RabbitMqUser, string RabbitMqPassword, TimeSpan RestoreTimeout, TimeSpan VerifyTimeout,
    TimeSpan? PlacementRetryDelay = null)
{
    public const string PostgresVariable = "CAAS_SAGAHOST_POSTGRES";
    public const string RabbitMqVariable = "CAAS_SAGAHOST_RABBITMQ";
    public const string RestoreTimeoutVariable = "CAAS_SAGAHOST_RESTORE_TIMEOUT_SECONDS";
    public const string VerifyTimeoutVariable = "CAAS_SAGAHOST_VERIFY_TIMEOUT_SECONDS";
    /// <summary>Optional: the wait before placement is asked again when no node fitted.</summary>
    public const string PlacementRetryVariable = "CAAS_SAGAHOST_PLACEMENT_RETRY_SECONDS";

    /// <exception cref="InvalidOperationException">A variable is missing or malformed; the message names it.</exception>
    public static SagaHostSettings FromEnvironment()
    {
        var postgres = Required(PostgresVariable);
        if (!Uri.TryCreate(Required(RabbitMqVariable), UriKind.Absolute, out var amqp) || amqp.Scheme != "amqp" || !amqp.UserInfo.Contains(':'))
            throw new InvalidOperationException($"{RabbitMqVariable} must be amqp://user:password@host:port/vhost.");
        var credentials = amqp.UserInfo.Split(':', 2);
        var broker = new Uri($"rabbitmq://{amqp.Host}:{(amqp.Port > 0 ? amqp.Port : 5672)}{amqp.AbsolutePath}");
        return new SagaHostSettings(postgres, broker, Uri.UnescapeDataString(credentials[0]), Uri.UnescapeDataString(credentials[1]),
            Seconds(RestoreTimeoutVariable), Seconds(VerifyTimeoutVariable),
            Environment.GetEnvironmentVariable(PlacementRetryVariable) is { Length: > 0 } ? Seconds(PlacementRetryVariable) : null);
    }

    private static string Required(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : throw new InvalidOperationException($"{name} is not set.");

    private static TimeSpan Seconds(string name) =>
        double.TryParse(Required(name), System.Globalization.CultureInfo.InvariantCulture, out var seconds) && seconds > 0
            ? TimeSpan.FromSeconds(seconds)
            : throw new InvalidOperationException($"{name} must be a positive number of seconds.");

    /// <summary>The recovery options these settings ask for; the defaults where they say nothing.</summary>
    public RecoveryOptions Options()
    {
        var options = new RecoveryOptions { RestoreTimeout = RestoreTimeout, VerifyTimeout = VerifyTimeout };
        return PlacementRetryDelay is { } retry ? options with { PlacementRetryDelay = retry } : options;
    }
}
