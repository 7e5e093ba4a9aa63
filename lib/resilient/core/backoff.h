/* gst-resilient: retry pacing shared by every element.
 *
 * Backoff answers one question: after the Nth consecutive failure, how long
 * to wait before the next attempt, or whether to give up. It is exponential
 * with a cap and multiplicative jitter (so a fleet of clients restarted by the
 * same outage does not retry in lock-step), with an optional immediate first
 * retry (the fastest restore when a server merely restarted) and a floor a
 * server can impose (HTTP Retry-After).
 */
#pragma once

#include "resilient/core/time.h"

#include <cstdint>
#include <optional>
#include <random>
#include <utility>

namespace resilient {

struct BackoffPolicy
{
  /* Delay before the first retry (after the first failure). */
  Duration initial = ms (500);
  /* No delay grows beyond this. */
  Duration max = ms (30000);
  /* Growth factor between consecutive delays, >= 1.0. */
  double multiplier = 2.0;
  /* Each delay is scaled by a random factor in [1 - jitter, 1 + jitter]. */
  double jitter = 0.2;
  /* Attempts allowed after failures; a negative value means unlimited. */
  int max_attempts = -1;
  /* When true, the first retry happens at once, the backoff starts with the
   * second one. */
  bool immediate_first = false;
};

class Backoff
{
public:
  explicit Backoff (BackoffPolicy policy = {}, std::uint64_t seed = 0x5eed);

  /* Records a failure and returns how long to wait before the next attempt,
   * or nullopt when the attempts are used up. */
  std::optional<Duration> next_delay ();

  /* A success: the next failure starts from the initial delay again. */
  void reset ();

  /* The next delay will be at least this long (e.g. Retry-After). */
  void set_floor (Duration floor) { floor_ = floor; }

  /* Replaces the policy; the attempt count is kept. */
  void set_policy (const BackoffPolicy &policy) { policy_ = policy; }
  const BackoffPolicy &policy () const { return policy_; }

  /* Failures recorded since the last reset. */
  int failures () const { return failures_; }
  bool exhausted () const;

private:
  BackoffPolicy policy_;
  std::mt19937_64 rng_;
  int failures_ = 0;
  Duration floor_ = Duration::zero ();
};

}  // namespace resilient
