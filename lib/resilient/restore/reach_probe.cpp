#include "resilient/restore/reach_probe.h"

#include <algorithm>

namespace resilient::restore {

ReachProbe::ReachProbe (ProbePolicy policy) : policy_ (policy)
{
  if (policy_.min_interval <= Duration::zero ())
    policy_.min_interval = ms (1);
  if (policy_.max_interval < policy_.min_interval)
    policy_.max_interval = policy_.min_interval;
  if (policy_.growth < 1)
    policy_.growth = 1;
}

void
ReachProbe::on_failure (bool server_answered, TimePoint now,
                        std::optional<TimePoint> not_before)
{
  if (!outage_start_)
    outage_start_ = now;
  /* A connect that was not accepted proves the server down: its next
   * accept is news. One that was accepted proves nothing (yet). */
  armed_ = !server_answered;
  TimePoint next = now + interval_at (now - *outage_start_);
  if (not_before && *not_before > next)
    next = *not_before;
  if (!in_flight_)
    next_ = next;
}

void
ReachProbe::reset ()
{
  outage_start_.reset ();
  next_.reset ();
  armed_ = false;
  in_flight_ = false;
}

std::optional<TimePoint>
ReachProbe::next_probe () const
{
  /* A server that accepted the last attempt is known to be up: probing
   * it would only add connections to one that refuses. */
  if (!outage_start_ || in_flight_ || !armed_)
    return std::nullopt;
  return next_;
}

void
ReachProbe::on_probe_started (TimePoint now)
{
  (void)now;
  in_flight_ = true;
  probes_++;
}

bool
ReachProbe::on_probe_result (bool accepted, TimePoint now)
{
  in_flight_ = false;
  if (!outage_start_)
    return false;
  next_ = now + interval_at (now - *outage_start_);
  if (!accepted) {
    armed_ = true;
    return false;
  }
  if (!armed_)
    return false;
  armed_ = false;
  return true;
}

Duration
ReachProbe::interval_at (Duration age) const
{
  Duration d = age / policy_.growth;
  return std::clamp (d, policy_.min_interval, policy_.max_interval);
}

std::string
FailureNotice::root_cause (const std::string &reason)
{
  auto p = reason.rfind (": ");
  std::string cause = p == std::string::npos ? reason : reason.substr (p + 2);
  /* A server that accepts and drops the connection is reported as a reset,
   * a broken pipe or a remote close depending on whether our side was
   * reading or writing at that moment (a matter of scheduling on a loaded
   * machine): one cause, not three reasons that alternate. */
  for (const char *dropped : { "reset by peer", "Broken pipe", "closed remotely",
                               "Connection closed", "connection closed" })
    if (cause.find (dropped) != std::string::npos)
      return "the server dropped the connection";
  return cause;
}

bool
FailureNotice::on_failure (FailureKind kind, const std::string &reason)
{
  std::string cause = root_cause (reason);
  if (warned_ && kind == kind_ && cause == reason_)
    return false;
  warned_ = true;
  kind_ = kind;
  reason_ = std::move (cause);
  return true;
}

void
FailureNotice::reset ()
{
  warned_ = false;
  reason_.clear ();
}

} // namespace resilient::restore
