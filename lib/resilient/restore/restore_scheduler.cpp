#include "resilient/restore/restore_scheduler.h"

namespace resilient::restore {

static BackoffPolicy
to_backoff (const RestorePolicy &p)
{
  BackoffPolicy b;
  b.initial = p.interval;
  b.immediate_first = p.fast_first;
  b.max_attempts = p.max_tries;
  if (p.exponential) {
    b.multiplier = p.multiplier < 1.0 ? 1.0 : p.multiplier;
    b.max = p.max_interval < p.interval ? p.interval : p.max_interval;
    b.jitter = p.jitter;
  } else {
    /* The seed's fixed interval: no growth, no jitter. */
    b.multiplier = 1.0;
    b.max = p.interval;
    b.jitter = 0.0;
  }
  return b;
}

RestoreScheduler::RestoreScheduler (RestorePolicy policy, std::uint64_t seed)
    : policy_ (policy), backoff_ (to_backoff (policy), seed)
{
}

void
RestoreScheduler::start (TimePoint now)
{
  if (state_ == RestoreState::Stopped || state_ == RestoreState::Failed
      || state_ == RestoreState::GaveUp)
    return;
  state_ = RestoreState::Connecting;
  next_retry_.reset ();
}

void
RestoreScheduler::attempt (TimePoint now)
{
  if (state_ != RestoreState::Waiting)
    return;
  state_ = RestoreState::Connecting;
  tries_++;
  total_retries_++;
  next_retry_.reset ();
}

void
RestoreScheduler::on_connected (TimePoint now)
{
  if (state_ == RestoreState::Stopped || state_ == RestoreState::Failed)
    return;
  state_ = RestoreState::Connected;
  tries_ = 0;
  backoff_.reset ();
  next_retry_.reset ();
  outage_start_.reset ();
}

RestoreVerdict
RestoreScheduler::on_failure (FailureKind kind, TimePoint now)
{
  RestoreVerdict v;
  switch (state_) {
  case RestoreState::Stopped:
  case RestoreState::Failed:
  case RestoreState::GaveUp:
    /* A manual stop suppresses everything; a verdict was already given. */
    return v;
  case RestoreState::Waiting:
    /* Already scheduled; a second report of the same outage changes
     * nothing (except that a fatal one wins). */
    if (!is_fatal (kind))
      return v;
    break;
  default:
    break;
  }
  if (!outage_start_)
    outage_start_ = now;
  if (is_fatal (kind)) {
    state_ = RestoreState::Failed;
    next_retry_.reset ();
    v.action = RestoreVerdict::Action::Fatal;
    return v;
  }
  if (!policy_.enabled) {
    state_ = RestoreState::GaveUp;
    v.action = RestoreVerdict::Action::GiveUp;
    return v;
  }
  auto delay = backoff_.next_delay ();
  if (!delay) {
    state_ = RestoreState::GaveUp;
    next_retry_.reset ();
    v.action = RestoreVerdict::Action::GiveUp;
    return v;
  }
  state_ = RestoreState::Waiting;
  next_retry_ = now + *delay;
  v.action = RestoreVerdict::Action::RetryAt;
  v.at = *next_retry_;
  v.attempt = tries_ + 1;
  return v;
}

void
RestoreScheduler::on_manual_stop ()
{
  state_ = RestoreState::Stopped;
  next_retry_.reset ();
}

RestoreVerdict
RestoreScheduler::on_reachable (TimePoint now)
{
  RestoreVerdict v;
  if (state_ != RestoreState::Waiting || !next_retry_ || *next_retry_ <= now)
    return v;
  next_retry_ = now;
  v.action = RestoreVerdict::Action::RetryAt;
  v.at = now;
  v.attempt = tries_ + 1;
  return v;
}

void
RestoreScheduler::reset ()
{
  state_ = RestoreState::Idle;
  tries_ = 0;
  backoff_.reset ();
  next_retry_.reset ();
  outage_start_.reset ();
}

const char *
restore_state_name (RestoreState s)
{
  switch (s) {
  case RestoreState::Idle:
    return "idle";
  case RestoreState::Connecting:
    return "connecting";
  case RestoreState::Connected:
    return "connected";
  case RestoreState::Waiting:
    return "waiting";
  case RestoreState::Stopped:
    return "stopped";
  case RestoreState::GaveUp:
    return "gave-up";
  case RestoreState::Failed:
    return "failed";
  }
  return "unknown";
}

} // namespace resilient::restore
