/* gst-resilient: autorestoresink's decision order (see coordinator.h). */
#include "resilient/restore/coordinator.h"

#include <algorithm>

namespace resilient::restore {

const char *
restore_action_name (RestoreAction::Kind k)
{
  switch (k) {
  case RestoreAction::Kind::KeepBackup:
    return "keep-backup";
  case RestoreAction::Kind::Fatal:
    return "fatal";
  case RestoreAction::Kind::Restoring:
    return "restoring";
  case RestoreAction::Kind::NextClusterHost:
    return "next-cluster-host";
  case RestoreAction::Kind::Failover:
    return "failover";
  case RestoreAction::Kind::RetryAt:
    return "retry-at";
  case RestoreAction::Kind::GiveUp:
    return "give-up";
  }
  return "unknown";
}

RestoreCoordinator::RestoreCoordinator (CoordinatorConfig config,
                                        std::size_t count, std::uint64_t seed)
    : config_ (std::move (config)),
      dests_ (std::vector<std::string> (count), config_.failback_holdoff)
{
  scheds_.reserve (count);
  for (std::size_t i = 0; i < count; i++) {
    scheds_.emplace_back (config_.policy, seed + i);
    refusal_.emplace_back (config_.refusal_window, config_.refusal_threshold);
    notice_.emplace_back ();
  }
}

RestoreScheduler &
RestoreCoordinator::scheduler (std::size_t dest)
{
  return config_.redundant ? scheds_[dest] : scheds_[0];
}

const RestoreScheduler &
RestoreCoordinator::scheduler (std::size_t dest) const
{
  return config_.redundant ? scheds_[dest] : scheds_[0];
}

void
RestoreCoordinator::reset ()
{
  for (auto &s : scheds_)
    s.reset ();
  if (!scheds_.empty ())
    dests_.start_round ();
}

void
RestoreCoordinator::start (TimePoint now)
{
  if (config_.redundant) {
    for (auto &s : scheds_)
      s.start (now);
  } else if (!scheds_.empty ()) {
    scheds_[0].start (now);
  }
}

void
RestoreCoordinator::on_manual_stop ()
{
  for (auto &s : scheds_)
    s.on_manual_stop ();
}

/* A run of sessions the server closed right after the publish request is
 * a refusal of this publisher (stream key, token), not an outage. */
void
RestoreCoordinator::classify (const SessionFailure &f, FailureVerdict &v)
{
  v.kind = f.kind;
  v.reason = f.reason;
  RefusalDetector &refusal = refusal_[f.dest];
  if (!is_fatal (f.kind) && !f.was_up
      && refusal.on_session_end (f.accepted, f.closed_by_peer, false,
                                 f.lifetime)) {
    v.kind = FailureKind::Refused;
    v.reason = "the server closed the connection right after the publish "
               "request "
               + std::to_string (refusal.early_closes ())
               + " times in a row: check the stream key or token (" + f.reason
               + ")";
  } else if (f.was_up) {
    refusal.on_connected ();
  }
}

/* A cluster destination goes on to the next host of its plan at once
 * (after a down notice: to a fresh resolution without that host); the
 * restore wait applies once the plan is used up. */
bool
RestoreCoordinator::next_cluster_host (const SessionFailure &f,
                                       FailureKind kind, TimePoint now,
                                       FailureVerdict &v)
{
  if (!f.cluster_host
      || !(kind == FailureKind::ClusterDown || f.cluster_plan_left))
    return false;
  RestoreScheduler &sched = scheduler (f.dest);
  if (!sched.outage_start ())
    sched.on_failure (kind, now);
  RestoreAction a{ RestoreAction::Kind::NextClusterHost };
  a.dest = f.dest;
  if (sched.state () == RestoreState::Waiting) {
    a.cancel_retry = true;
    sched.attempt (now);
  }
  a.attempt = sched.tries ();
  v.actions.push_back (a);
  return true;
}

/* Failover: the next destination of this round at once. */
bool
RestoreCoordinator::failover (const SessionFailure &f, FailureKind kind,
                              TimePoint now, FailureVerdict &v)
{
  if (config_.redundant || scheds_.size () <= 1)
    return false;
  auto next = dests_.on_failure (now);
  if (!next)
    return false;
  RestoreScheduler &sched = scheduler (f.dest);
  if (!sched.outage_start ()) {
    sched.on_failure (kind, now);
    sched.attempt (now);
  }
  RestoreAction a{ RestoreAction::Kind::Failover };
  a.from = f.dest;
  a.dest = *next;
  a.attempt = sched.tries ();
  v.actions.push_back (a);
  return true;
}

void
RestoreCoordinator::schedule (const SessionFailure &f, TimePoint now,
                              FailureVerdict &v)
{
  RestoreScheduler &sched = scheduler (f.dest);
  RestoreVerdict r = sched.on_failure (v.kind, now);
  RestoreAction a{ RestoreAction::Kind::RetryAt };
  a.dest = f.dest;
  a.attempt = r.attempt;
  switch (r.action) {
  case RestoreVerdict::Action::RetryAt:
    /* Not before the server's Retry-After (a floor on the schedule). */
    a.at = r.at;
    if (f.retry_after_ms > 0) {
      a.floor = now + ms (f.retry_after_ms);
      a.at = std::max (a.at, *a.floor);
    }
    a.warn = notice_[f.dest].on_failure (v.kind, v.reason);
    break;
  case RestoreVerdict::Action::GiveUp:
    a.kind = RestoreAction::Kind::GiveUp;
    a.attempt = sched.tries ();
    break;
  case RestoreVerdict::Action::Fatal:
    a.kind = RestoreAction::Kind::Fatal;
    a.local = v.kind == FailureKind::LocalError;
    break;
  case RestoreVerdict::Action::None:
    return;
  }
  v.actions.push_back (a);
}

FailureVerdict
RestoreCoordinator::on_failure (const SessionFailure &f, TimePoint now)
{
  FailureVerdict v;
  if (f.dest >= scheds_.size ())
    return v;
  classify (f, v);
  if (f.failback) {
    /* The primary is not back yet; the backup keeps publishing. */
    dests_.on_failback_failed (now);
    v.actions.push_back ({ RestoreAction::Kind::KeepBackup, f.dest });
    return v;
  }
  if (is_fatal (v.kind)) {
    scheduler (f.dest).on_failure (v.kind, now);
    RestoreAction a{ RestoreAction::Kind::Fatal, f.dest };
    a.local = v.kind == FailureKind::LocalError;
    v.actions.push_back (a);
    return v;
  }
  if (f.was_up)
    v.actions.push_back ({ RestoreAction::Kind::Restoring, f.dest });
  if (next_cluster_host (f, v.kind, now, v) || failover (f, v.kind, now, v))
    return v;
  schedule (f, now, v);
  return v;
}

std::optional<RetryStart>
RestoreCoordinator::on_retry_due (std::size_t dest, TimePoint now)
{
  if (dest >= scheds_.size ())
    return std::nullopt;
  RestoreScheduler &sched = scheduler (dest);
  if (sched.state () != RestoreState::Waiting)
    return std::nullopt;
  sched.attempt (now);
  RetryStart r;
  r.dest = dest;
  if (!config_.redundant) {
    std::size_t before = dests_.active ();
    r.dest = dests_.start_round ();
    r.switched = before != r.dest;
  }
  r.attempt = sched.tries ();
  return r;
}

RestoreVerdict
RestoreCoordinator::on_reachable (std::size_t dest, TimePoint now)
{
  return scheduler (dest).on_reachable (now);
}

void
RestoreCoordinator::on_unreachable (std::size_t dest)
{
  /* The server is down: the sessions it closed were not refusals. */
  refusal_[dest].on_unreachable ();
}

UpResult
RestoreCoordinator::on_up (std::size_t dest, bool failback, TimePoint now)
{
  UpResult r;
  refusal_[dest].on_connected ();
  notice_[dest].reset ();
  if (failback) {
    /* Make-before-break: the primary carries media. */
    r.failback_from = dests_.active ();
    dests_.on_failback_done (now);
  }
  RestoreScheduler &sched = scheduler (dest);
  r.outage_start = sched.outage_start ();
  r.tries = sched.tries ();
  sched.on_connected (now);
  if (!config_.redundant)
    dests_.on_up (now);
  return r;
}

void
RestoreCoordinator::on_failback_failed (TimePoint now)
{
  dests_.on_failback_failed (now);
}

} // namespace resilient::restore
