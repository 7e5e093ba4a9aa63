/* gst-resilient: what autorestoresink does when a publish session fails,
 * comes up, or is due for a retry.
 *
 * RestoreCoordinator is autorestoresink's decision maker, as FailoverPolicy
 * is failoversrc's. It sees destinations as indices in priority order and
 * owns the decision classes of the restore area: a RestoreScheduler per
 * destination (in failover mode the primary's paces the rounds over all of
 * them), the DestinationList (failover and fail-back), a RefusalDetector
 * and a FailureNotice per destination. It never reads a clock: every call
 * passes "now".
 *
 * A session failure goes through one fixed order, and the answer is a
 * FailureVerdict: the failure as classified (a run of early closes becomes
 * a refusal, with a reason that says so) and the actions the element
 * carries out, in order:
 *
 *   1. a failed make-before-break fail-back: the backup keeps publishing;
 *   2. a fatal failure (refusal, local error): reported once, never retried;
 *   3. a cluster destination whose resolver has another host (or that was
 *      reported down): the next host at once;
 *   4. failover mode with a destination left in this round: switch to it
 *      at once;
 *   5. otherwise the scheduler's verdict: retry at a time (never before the
 *      server's Retry-After), give up, or fatal.
 *
 * Rules 2-5 start with Restoring when the session had been carrying media
 * (the element's WARNING that publishing is being restored).
 */
#pragma once

#include "resilient/core/time.h"
#include "resilient/restore/destination_list.h"
#include "resilient/restore/failure.h"
#include "resilient/restore/reach_probe.h"
#include "resilient/restore/restore_scheduler.h"
#include "resilient/restore/watchers.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace resilient::restore {

struct CoordinatorConfig
{
  /* Every destination publishes at once and restores on its own. */
  bool redundant = false;
  RestorePolicy policy;
  /* Fail-back hold-off (DestinationList). */
  Duration failback_holdoff = ms (30000);
  /* RefusalDetector: early closes within `refusal_window` of the start,
   * `refusal_threshold` times in a row, are a refusal. */
  Duration refusal_window = ms (2000);
  int refusal_threshold = 2;
};

/* What happened to one session. */
struct SessionFailure
{
  std::size_t dest = 0;
  FailureKind kind = FailureKind::ServerLost;
  std::string reason;
  /* The transport connection was accepted / closed by the server. */
  bool accepted = false;
  bool closed_by_peer = false;
  /* The session had carried media. */
  bool was_up = false;
  /* A make-before-break attempt to return to the primary. */
  bool failback = false;
  /* From the session's start to the failure. */
  Duration lifetime{};
  /* The server's Retry-After in ms, -1 when it sent none. */
  std::int64_t retry_after_ms = -1;
  /* The session published to a host a cluster resolver named ... */
  bool cluster_host = false;
  /* ... and the resolver's plan has another host to try. */
  bool cluster_plan_left = false;
};

struct RestoreAction
{
  enum class Kind {
    /* The fail-back attempt failed; the backup keeps publishing. */
    KeepBackup,
    /* Report once, never retry: `local` (local error) or a refusal. */
    Fatal,
    /* The session had carried media: publishing is being restored. */
    Restoring,
    /* A cluster destination: start a session to the resolver's next host
     * of `dest` now; `cancel_retry`: a pending retry timer is void. */
    NextClusterHost,
    /* Failover: start a session to `dest` now (from `from`). */
    Failover,
    /* Start again on `dest` at `at` (`attempt`, 1-based); `floor`: the
     * server's Retry-After time when it sent one; `warn`: the first
     * failure of this outage or a new reason (FailureNotice). */
    RetryAt,
    /* Tries used up on `dest` after `attempt` tries. */
    GiveUp,
  };
  Kind kind;
  std::size_t dest = 0;
  std::size_t from = 0;
  bool local = false;
  bool cancel_retry = false;
  bool warn = false;
  int attempt = 0;
  TimePoint at{};
  std::optional<TimePoint> floor;
};

struct FailureVerdict
{
  /* The failure as classified: Refused after repeated early closes. */
  FailureKind kind = FailureKind::ServerLost;
  std::string reason;
  std::vector<RestoreAction> actions;
};

/* A retry that is due. */
struct RetryStart
{
  /* The destination to start (failover mode: the round starts again from
   * the primary). */
  std::size_t dest = 0;
  /* The destination changed (a failover). */
  bool switched = false;
  int attempt = 0;
};

/* A session came up. */
struct UpResult
{
  /* The outage that ended (none at the first publish). */
  std::optional<TimePoint> outage_start;
  /* Retries the restore took. */
  int tries = 0;
  /* A fail-back completed: the destination that carried media before. */
  std::optional<std::size_t> failback_from;
};

const char *restore_action_name (RestoreAction::Kind k);

class RestoreCoordinator
{
public:
  RestoreCoordinator (CoordinatorConfig config = {}, std::size_t count = 0,
                      std::uint64_t seed = 0x5eed);

  std::size_t size () const { return scheds_.size (); }
  const CoordinatorConfig &config () const { return config_; }

  /* A new run (READY->PAUSED): schedulers reset, the round from the
   * primary. */
  void reset ();
  /* Publishing starts: the first attempt of each scheduler in use. */
  void start (TimePoint now);
  /* A manual stop (EOS, PAUSED->READY): nothing restores any more. */
  void on_manual_stop ();

  /* A session failed: the failure as classified and what to do. */
  FailureVerdict on_failure (const SessionFailure &f, TimePoint now);
  /* A retry timer of `dest` fired: the session to start, if still due. */
  std::optional<RetryStart> on_retry_due (std::size_t dest, TimePoint now);
  /* `dest` looks reachable again (probe, network change). */
  RestoreVerdict on_reachable (std::size_t dest, TimePoint now);
  /* A probe found `dest` not accepting connections. */
  void on_unreachable (std::size_t dest);
  /* A session to `dest` carries media. */
  UpResult on_up (std::size_t dest, bool failback, TimePoint now);
  /* A fail-back attempt did not come up in time. */
  void on_failback_failed (TimePoint now);

  /* The scheduler that paces `dest` (failover mode: the primary's). */
  RestoreScheduler &scheduler (std::size_t dest);
  const RestoreScheduler &scheduler (std::size_t dest) const;
  /* The scheduler of `dest` itself. */
  const RestoreScheduler &own_scheduler (std::size_t dest) const
  {
    return scheds_[dest];
  }
  const DestinationList &destinations () const { return dests_; }
  int early_closes (std::size_t dest) const
  {
    return refusal_[dest].early_closes ();
  }

private:
  void classify (const SessionFailure &f, FailureVerdict &v);
  bool next_cluster_host (const SessionFailure &f, FailureKind kind,
                          TimePoint now, FailureVerdict &v);
  bool failover (const SessionFailure &f, FailureKind kind, TimePoint now,
                 FailureVerdict &v);
  void schedule (const SessionFailure &f, TimePoint now, FailureVerdict &v);

  CoordinatorConfig config_;
  std::vector<RestoreScheduler> scheds_;
  std::vector<RefusalDetector> refusal_;
  std::vector<FailureNotice> notice_;
  DestinationList dests_;
};

} // namespace resilient::restore
