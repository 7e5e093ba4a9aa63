/* gst-resilient: when to try publishing again.
 *
 * One RestoreScheduler per publish destination. It follows the Flashphoner
 * "Streaming Auto Restore" contract (retry every interval up to a number of
 * tries; a manual stop or a local error never restores) and adds what that
 * lacks: an immediate first retry (a restarted server is back at once), an
 * optional exponential backoff with jitter (resilient::Backoff), unlimited
 * tries, and "skip the wait" triggers: a network change, or a probe that
 * saw the server accept connections again.
 *
 * The scheduler never reads a clock: every call passes "now", and a verdict
 * says at which time the caller must call attempt().
 */
#pragma once

#include "resilient/core/backoff.h"
#include "resilient/core/time.h"
#include "resilient/restore/failure.h"

#include <cstdint>
#include <optional>

namespace resilient::restore {

struct RestorePolicy
{
  /* When false, any failure gives up at once (restore disabled). */
  bool enabled = true;
  /* Wait between retries (the seed's restore "Timeout", 3000 ms). */
  Duration interval = ms (3000);
  /* Retries after the connection was lost; -1 means unlimited. */
  int max_tries = 100;
  /* The first retry happens at once, the interval applies from the second. */
  bool fast_first = true;
  /* When true the wait grows by `multiplier` per try up to `max_interval`,
   * each scaled by a random factor in [1 - jitter, 1 + jitter]. */
  bool exponential = false;
  double multiplier = 2.0;
  Duration max_interval = ms (30000);
  double jitter = 0.2;
};

enum class RestoreState {
  /* Not started, or reset. */
  Idle,
  /* An attempt is under way (first publish or a retry). */
  Connecting,
  /* Media is flowing to the destination. */
  Connected,
  /* Waiting for the next retry time. */
  Waiting,
  /* A manual stop: nothing restores any more. */
  Stopped,
  /* Tries used up. */
  GaveUp,
  /* A fatal failure (refusal, local error). */
  Failed,
};

struct RestoreVerdict
{
  enum class Action {
    /* Nothing to do (ignored event, or already scheduled). */
    None,
    /* Call attempt() at `at`. */
    RetryAt,
    /* Tries used up: report the give-up once. */
    GiveUp,
    /* Fatal: report the error once, never retry. */
    Fatal,
  };
  Action action = Action::None;
  TimePoint at{};
  /* 1-based number of the retry that is scheduled. */
  int attempt = 0;
};

class RestoreScheduler
{
public:
  explicit RestoreScheduler (RestorePolicy policy = {},
                             std::uint64_t seed = 0x5eed);

  /* The first publish attempt starts. */
  void start (TimePoint now);
  /* A retry scheduled by a RetryAt verdict starts now. */
  void attempt (TimePoint now);
  /* The session is up: tries start again from zero. */
  void on_connected (TimePoint now);
  /* The session failed; says when to retry, or to give up. */
  RestoreVerdict on_failure (FailureKind kind, TimePoint now);
  /* A manual stop (EOS, going to NULL): no later failure restores. */
  void on_manual_stop ();
  /* Something suggests the server is reachable now (network change, probe
   * success): when waiting, retry at once. */
  RestoreVerdict on_reachable (TimePoint now);
  /* Back to Idle, tries cleared (READY->NULL, or a new configuration). */
  void reset ();

  RestoreState state () const { return state_; }
  /* Retries made since the last time the session was up. */
  int tries () const { return tries_; }
  /* Total retries over the element's life. */
  std::uint64_t total_retries () const { return total_retries_; }
  std::optional<TimePoint> next_retry () const { return next_retry_; }
  /* When the current outage began (first failure since connected). */
  std::optional<TimePoint> outage_start () const { return outage_start_; }
  const RestorePolicy &policy () const { return policy_; }

private:
  RestorePolicy policy_;
  Backoff backoff_;
  RestoreState state_ = RestoreState::Idle;
  int tries_ = 0;
  std::uint64_t total_retries_ = 0;
  std::optional<TimePoint> next_retry_;
  std::optional<TimePoint> outage_start_;
};

const char *restore_state_name (RestoreState s);

} // namespace resilient::restore
