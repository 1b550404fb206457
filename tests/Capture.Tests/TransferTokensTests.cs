using System.Security.Cryptography;
using System.Text;
using Caas.Capture.Agent.Transfer;
using Microsoft.Extensions.Time.Testing;

namespace Caas.Capture.Tests;

/// <summary>The image-read tokens one agent mints for another: what they allow, for how long, and what breaks them.</summary>
[Trait("Category", "Unit")]
public sealed class TransferTokensTests
{
    private const string Job = "job-00000000aa";
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero));
    private TransferTokens Tokens() => new(TestBundles.PlatformKey, _time);

    [Fact]
    public void A_minted_token_carries_its_checkpoint_target_and_expiry()
    {
        var (token, expiresAt) = Tokens().MintImageRead(Job, 3, "node-c", TimeSpan.FromMinutes(15));

        var verdict = Tokens().Check(token, TransferTokens.ImageRead);

        Assert.Equal(new TransferToken(TransferTokens.ImageRead, Job, 3, "node-c", _time.GetUtcNow().AddMinutes(15)), verdict.Token);
        Assert.Equal(_time.GetUtcNow().AddMinutes(15), expiresAt);
        Assert.Null(verdict.Problem);
    }

    [Fact]
    public void A_token_is_refused_from_its_expiry_on()
    {
        var tokens = Tokens();
        var (token, expiresAt) = tokens.MintImageRead(Job, 1, "node-c", TimeSpan.FromMinutes(5));

        _time.Advance(TimeSpan.FromMinutes(5) - TimeSpan.FromSeconds(1));
        Assert.NotNull(tokens.Check(token, TransferTokens.ImageRead).Token);
        _time.Advance(TimeSpan.FromSeconds(1));
        var verdict = tokens.Check(token, TransferTokens.ImageRead);

        Assert.Equal((401, $"the transfer token expired at {expiresAt:O}"), (verdict.Status, verdict.Problem));
        Assert.Null(verdict.Token);
    }

    [Fact]
    public void A_token_for_another_purpose_is_forbidden()
    {
        var (token, _) = Tokens().Mint("image-write", Job, 1, "node-c", TimeSpan.FromMinutes(5));

        var verdict = Tokens().Check(token, TransferTokens.ImageRead);

        Assert.Equal((403, "the transfer token is for \"image-write\", not \"image-read\""), (verdict.Status, verdict.Problem));
    }

    [Fact]
    public void Changed_claims_break_the_signature()
    {
        var (token, _) = Tokens().MintImageRead(Job, 1, "node-c", TimeSpan.FromMinutes(5));
        var parts = token.Split('.');
        var claims = Encoding.UTF8.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(parts[1]));
        var forged = $"{parts[0]}.{System.Buffers.Text.Base64Url.EncodeToString(Encoding.UTF8.GetBytes(claims.Replace("|1|", "|2|")))}.{parts[2]}";

        var verdict = Tokens().Check(forged, TransferTokens.ImageRead);

        Assert.Equal(401, verdict.Status);
        Assert.StartsWith("the transfer token's signature does not match", verdict.Problem);
    }

    [Fact]
    public void A_token_minted_under_another_platform_key_is_refused()
    {
        var (token, _) = new TransferTokens(TestBundles.OtherKey, _time).MintImageRead(Job, 1, "node-c", TimeSpan.FromMinutes(5));

        Assert.Equal(401, Tokens().Check(token, TransferTokens.ImageRead).Status);
    }

    [Fact]
    public void The_token_key_is_derived_and_not_the_image_key_itself()
    {
        var (token, _) = Tokens().MintImageRead(Job, 1, "node-c", TimeSpan.FromMinutes(5));
        var parts = token.Split('.');
        var claims = System.Buffers.Text.Base64Url.DecodeFromChars(parts[1]);

        var macUnderImageKey = System.Buffers.Text.Base64Url.EncodeToString(HMACSHA256.HashData(TestBundles.PlatformKey, claims));

        Assert.NotEqual(macUnderImageKey, parts[2]);
        Assert.Equal(401, Tokens().Check($"{parts[0]}.{parts[1]}.{macUnderImageKey}", TransferTokens.ImageRead).Status);
    }

    [Theory]
    [InlineData(null, "a transfer token is required (Authorization: Bearer <token>)")]
    [InlineData("", "a transfer token is required (Authorization: Bearer <token>)")]
    [InlineData("v1.abc", "the transfer token is malformed")]
    [InlineData("v2.YQ.YQ", "the transfer token is malformed")]
    [InlineData("v1.!!!.YQ", "the transfer token is malformed")]
    public void A_missing_or_malformed_token_is_unauthenticated(string? token, string problem)
    {
        var verdict = Tokens().Check(token, TransferTokens.ImageRead);

        Assert.Equal((401, problem), (verdict.Status, verdict.Problem));
    }

    [Fact]
    public void The_token_does_not_show_its_key()
    {
        Assert.Equal("TransferTokens (key hidden)", Tokens().ToString());
    }
}
