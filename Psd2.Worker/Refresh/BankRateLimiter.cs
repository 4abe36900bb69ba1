using Microsoft.Extensions.Options;
using Psd2.Core.Banking;
using StackExchange.Redis;

namespace Psd2.Worker.Refresh;

/// <summary>
/// Each bank's pace for unattended syncs (<see cref="Institution.UnattendedSyncsPerSecond"/>), shared by every
/// worker replica: a counter per institution and second in Redis, taken with one script call. While Redis cannot
/// be reached the limit is not enforced (the bank's own 429s and the resilience pipeline still pace the calls).
/// </summary>
public sealed class BankRateLimiter(IConnectionMultiplexer redis, IOptions<InstitutionOptions> institutions, ILogger<BankRateLimiter> logger)
{
    private const string Take = """
        local n = redis.call('INCR', KEYS[1])
        if n == 1 then redis.call('PEXPIRE', KEYS[1], 2000) end
        return n
        """;

    public async Task WaitAsync(string institutionId, CancellationToken cancellationToken)
    {
        var limit = institutions.Value.Banks[institutionId].UnattendedSyncsPerSecond;
        while (true)
        {
            var now = DateTimeOffset.UtcNow;
            var second = now.ToUnixTimeSeconds();
            long taken;
            try
            {
                taken = (long)await redis.GetDatabase().ScriptEvaluateAsync(Take, [$"psd2:bank-rate:{institutionId}:{second}"]).WaitAsync(cancellationToken);
            }
            catch (Exception e) when (e is RedisException or TimeoutException)
            {
                logger.LogWarning(e, "The shared rate limit of {InstitutionId} could not be read; going on without it", institutionId);
                return;
            }

            if (taken <= limit)
            {
                return;
            }

            await Task.Delay(DateTimeOffset.FromUnixTimeSeconds(second + 1) - now, cancellationToken);
        }
    }
}
