/* gst-resilient: which failoversrc candidate is on the output, which ones
 * run, and when failed ones are retried.
 *
 * FailoverPolicy is the element's decision maker. It sees candidates only as
 * indices in priority order and learns about them through three events
 * (healthy, failed, manual request); `step(now)` is called on every health
 * tick. Every call returns the actions the element must carry out, in order:
 * switch the output, start or stop a candidate, post a retry or give-up
 * message.
 *
 * Rules:
 * - The output is on the best healthy candidate by rank (index order, a
 *   manually chosen candidate first). When the active one fails, the switch
 *   to the best other healthy candidate (or to filler) is decided at once.
 * - Leaving filler happens as soon as any candidate is healthy. Returning to
 *   a better candidate than the active one (failback) waits until it has
 *   proved itself for its hold-off: healthy, and delivering new content
 *   (`on_content`) that covers the hold-off with no freeze longer than
 *   `max_freeze` (a half-dead HLS primary whose segments stall halfway is
 *   "healthy" to the adaptive timeout but never proves itself). A candidate
 *   that fails again within twice its hold-off after a failback, or twice in
 *   a row within twice its hold-off after it became healthy, has its
 *   hold-off doubled (up to `max_holdoff_factor`
 *   times the base), so a flapping primary cannot make the output flap; the
 *   factor returns to 1 after four hold-offs of health.
 * - Running set: the active candidate; every better-ranked candidate that is
 *   not waiting for a retry (so failback can happen); in hot and warm
 *   standby also the next candidate after the active one, and in cold
 *   standby too for `prepare_linger` after the active one was suspected of
 *   stalling. On filler: the best one (two in hot or warm standby) plus
 *   anything already starting.
 * - Failures: fatal ones give up at once; transient ones are retried after
 *   the Backoff delay; when Backoff is exhausted the candidate is given up.
 *   A candidate healthy for the base hold-off gets its backoff reset.
 */
#pragma once

#include "resilient/core/backoff.h"
#include "resilient/core/time.h"
#include "resilient/failover/candidates.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace resilient::failover {

enum class Standby {
  Cold,
  Hot,
  /* Runs the same candidates as Hot, but a run off the output is only
   * connected, demuxed and parsed (warm.h); it is decoded from its kept GOP
   * when it goes on the output. */
  Warm,
};

/* Whether the next candidate after the active one runs all the time. */
inline bool
runs_backup (Standby s)
{
  return s != Standby::Cold;
}

/* Whether a run that is not on the output is decoded. */
inline bool
decodes_off_air (Standby s)
{
  return s == Standby::Hot;
}

enum class CandidateState {
  Idle,     /* not running, may be started */
  Starting, /* running, no verdict yet */
  Healthy,  /* running and producing */
  Waiting,  /* failed, waiting for its retry time */
  GivenUp,  /* failed for good (fatal, or attempts used up) */
};

const char *state_name (CandidateState s);

struct PolicyConfig
{
  Standby standby = Standby::Cold;
  BackoffPolicy backoff;
  Duration failback_holdoff = ms (5000);
  bool auto_failback = true;
  int max_holdoff_factor = 16;
  /* Before anything was ever on the output, a candidate that is healthy is
   * not used while a better-ranked one, started less than this ago, is
   * still starting: the primary goes first when all start together. */
  Duration startup_grace = ms (1500);
  /* Failback proof: the longest stretch without new content (frozen
   * picture) a candidate may show while it proves itself; a longer one
   * starts its proof again. Zero disables the content proof. */
  Duration max_freeze = ms (500);
  /* Cold standby: after the active candidate showed a first sign of a
   * stall (on_suspect), the next candidate runs as a hot standby would for
   * this long, so a confirmed stall switches to a backup that is already
   * up. */
  Duration prepare_linger = ms (10000);
};

/* Why the output moved; the bus message `reason` is switch_reason_name()
 * (for Failure: the failure's reason_name, e.g. `eos`). */
enum class SwitchReason {
  Start,     /* the first candidate on the output after start-up */
  Failure,   /* a candidate failed (the active one: now; or the one whose
              * failure put the output on filler: when a backup takes over) */
  Recovered, /* the candidate whose failure put the output on filler is back */
  Failback,  /* back to a better-ranked candidate that proved itself */
  Manual,    /* the application's switch-to */
};

const char *switch_reason_name (SwitchReason r, FailureReason cause);

struct Action
{
  enum class Kind {
    Switch,          /* from -> to (-1 filler), reason, detect */
    Start,           /* index */
    Stop,            /* index */
    CandidateFailed, /* index, reason, fatal, detail */
    Retry,           /* index, attempt, delay, reason */
    GiveUp,          /* index, attempt (attempts made), reason, fatal, detail */
  };
  Kind kind;
  int index = -1;
  int from = -1;
  int to = -1;
  /* Switch: why; for SwitchReason::Failure `cause` and `cause_index` say
   * which candidate failed and how. */
  SwitchReason why = SwitchReason::Start;
  FailureReason cause = FailureReason::Error;
  int cause_index = -1;
  /* Switch: switch_reason_name (why, cause); others: reason_name. */
  std::string reason;
  bool fatal = false;
  int attempt = 0;
  Duration delay{};
  Duration detect{};
  std::string detail;
};

class FailoverPolicy
{
public:
  FailoverPolicy (PolicyConfig config, std::size_t count,
                  std::uint64_t seed = 0x5eed);

  /* Updates thresholds; attempt counts are kept. */
  void set_config (const PolicyConfig &config);
  const PolicyConfig &config () const { return config_; }

  /* A candidate that cannot be used at all (bad URI, unknown scheme): given
   * up before it ever runs. */
  std::vector<Action> reject (int index, FailureReason reason,
                              const std::string &detail);

  /* The active candidate shows a first sign of a stall (a silence longer
   * than its usual rhythm, not yet a failure): in cold standby the next
   * candidate is started by the next step(). Ignored for others. */
  void on_suspect (int index, TimePoint now);
  /* The candidate a failure of the active one would switch to now (the
   * best healthy other one), -1 when none or on filler. */
  int backup () const { return active_ < 0 ? -1 : best_healthy (active_); }
  /* Whether a cold standby's backup is being prepared at `now`. */
  bool preparing (TimePoint now) const { return now < prepare_until_; }

  /* The running candidate produced (its health verdict became healthy). */
  void on_healthy (int index, TimePoint now);

  /* The running candidate delivered `media` worth of new content (sum of
   * the durations of its new frames) since its previous report; called on
   * every health tick, also with zero. Feeds the failback proof. */
  void on_content (int index, TimePoint now, Duration media);

  /* Since when `index` has proved itself (healthy, content without a long
   * freeze); nullopt when it has not started proving. */
  std::optional<TimePoint> proving_since (int index) const
  {
    return slots_.at (index).proof_start;
  }

  /* The running candidate failed; `first_sign` is when the failure was first
   * seen (for detect time). Stale reports (candidate not running) are
   * ignored. `retry_floor`: the retry waits at least this long (a server's
   * Retry-After), backoff and jitter apply above it. */
  std::vector<Action> on_failure (int index, FailureReason reason, bool fatal,
                                  const std::string &detail,
                                  TimePoint first_sign, TimePoint now,
                                  Duration retry_floor = Duration::zero ());

  /* Manual switch: pin `index` first in rank (-1: back to automatic).
   * Returns false when out of range or given up. The switch itself comes
   * from the next step(). */
  bool request (int index);

  /* Periodic decisions at `now`. */
  std::vector<Action> step (TimePoint now);

  int active () const { return active_; }
  int manual () const { return manual_; }
  std::size_t size () const { return slots_.size (); }
  CandidateState state (int index) const { return slots_.at (index).state; }
  int failures (int index) const { return slots_.at (index).failures; }
  int retries (int index) const { return slots_.at (index).retries; }
  const std::string &last_reason (int index) const
  {
    return slots_.at (index).last_reason;
  }
  Duration holdoff (int index) const;
  bool all_given_up () const;
  /* The best-ranked candidate that is not given up, -1 when none. */
  int first_usable () const;

private:
  struct Slot
  {
    CandidateState state = CandidateState::Idle;
    Backoff backoff;
    TimePoint retry_at{};
    std::optional<TimePoint> healthy_since;
    TimePoint started_at{};
    bool backoff_reset_done = false;
    std::optional<TimePoint> last_failback;
    int holdoff_factor = 1;
    /* failures in a row that came within twice the hold-off of health */
    int quick_failures = 0;
    int failures = 0;
    int retries = 0;
    std::string last_reason;
    /* failback proof: since when, and the content delivered since */
    std::optional<TimePoint> proof_start;
    Duration proof_content{};
    bool content_seen = false;
  };

  int rank (int index) const;
  std::vector<int> ranked () const;
  bool running (int index) const;
  bool eligible (int index) const;
  int best_healthy (int excluding) const;
  void emit_switch (std::vector<Action> &out, int to, SwitchReason why,
                    Duration detect);
  bool proved (int index, TimePoint now) const;
  std::vector<bool> wanted (TimePoint now) const;
  void reset_proof (Slot &s);

  PolicyConfig config_;
  std::vector<Slot> slots_;
  int active_ = -1;
  int manual_ = -1;
  bool manual_pending_ = false;
  bool ever_active_ = false;
  /* The failure that put the output on filler (cleared when it leaves). */
  int cause_index_ = -1;
  FailureReason cause_ = FailureReason::Error;
  /* Cold standby: the backup runs until then (on_suspect). */
  TimePoint prepare_until_{};
};

} // namespace resilient::failover
