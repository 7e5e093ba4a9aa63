#include "resilient/failover/policy.h"

#include <algorithm>
#include <numeric>

namespace resilient::failover {

const char *
state_name (CandidateState s)
{
  switch (s) {
  case CandidateState::Idle:
    return "idle";
  case CandidateState::Starting:
    return "starting";
  case CandidateState::Healthy:
    return "healthy";
  case CandidateState::Waiting:
    return "waiting";
  case CandidateState::GivenUp:
    return "given-up";
  }
  return "idle";
}

const char *
switch_reason_name (SwitchReason r, FailureReason cause)
{
  switch (r) {
  case SwitchReason::Start:
    return "start";
  case SwitchReason::Failure:
    return reason_name (cause);
  case SwitchReason::Recovered:
    return "recovered";
  case SwitchReason::Failback:
    return "failback";
  case SwitchReason::Manual:
    return "manual";
  }
  return "start";
}

FailoverPolicy::FailoverPolicy (PolicyConfig config, std::size_t count,
                                std::uint64_t seed)
    : config_ (config)
{
  slots_.reserve (count);
  for (std::size_t i = 0; i < count; i++)
    slots_.push_back (
        Slot{ CandidateState::Idle, Backoff (config.backoff, seed + i) });
}

void
FailoverPolicy::set_config (const PolicyConfig &config)
{
  config_ = config;
  for (auto &s : slots_)
    s.backoff.set_policy (config.backoff);
}

Duration
FailoverPolicy::holdoff (int index) const
{
  return config_.failback_holdoff * slots_.at (index).holdoff_factor;
}

int
FailoverPolicy::rank (int index) const
{
  return index == manual_ ? -1 : index;
}

std::vector<int>
FailoverPolicy::ranked () const
{
  std::vector<int> order (slots_.size ());
  std::iota (order.begin (), order.end (), 0);
  std::stable_sort (order.begin (), order.end (),
                    [this] (int a, int b) { return rank (a) < rank (b); });
  return order;
}

void
FailoverPolicy::on_suspect (int index, TimePoint now)
{
  if (index != active_ || !running (index))
    return;
  prepare_until_ = std::max (prepare_until_, now + config_.prepare_linger);
}

bool
FailoverPolicy::running (int index) const
{
  auto s = slots_[index].state;
  return s == CandidateState::Starting || s == CandidateState::Healthy;
}

bool
FailoverPolicy::eligible (int index) const
{
  return running (index) || slots_[index].state == CandidateState::Idle;
}

bool
FailoverPolicy::all_given_up () const
{
  return std::all_of (slots_.begin (), slots_.end (), [] (const Slot &s) {
    return s.state == CandidateState::GivenUp;
  });
}

int
FailoverPolicy::first_usable () const
{
  for (std::size_t i = 0; i < slots_.size (); i++)
    if (slots_[i].state != CandidateState::GivenUp)
      return static_cast<int> (i);
  return -1;
}

int
FailoverPolicy::best_healthy (int excluding) const
{
  for (int i : ranked ())
    if (i != excluding && slots_[i].state == CandidateState::Healthy)
      return i;
  return -1;
}

void
FailoverPolicy::emit_switch (std::vector<Action> &out, int to, SwitchReason why,
                             Duration detect)
{
  Action a{ Action::Kind::Switch };
  a.from = active_;
  a.to = to;
  a.index = to;
  a.why = why;
  if (why == SwitchReason::Failure) {
    a.cause = cause_;
    a.cause_index = cause_index_;
  }
  a.reason = switch_reason_name (why, a.cause);
  a.detect = detect;
  out.push_back (a);
  active_ = to;
  if (to >= 0) {
    ever_active_ = true;
    cause_index_ = -1;
  }
}

void
FailoverPolicy::reset_proof (Slot &s)
{
  s.proof_start.reset ();
  s.proof_content = Duration::zero ();
  s.content_seen = false;
}

void
FailoverPolicy::on_content (int index, TimePoint now, Duration media)
{
  if (index < 0 || static_cast<std::size_t> (index) >= slots_.size ())
    return;
  auto &s = slots_[index];
  if (s.state != CandidateState::Healthy)
    return;
  if (!s.proof_start) {
    if (media <= Duration::zero ())
      return;
    s.proof_start = now;
    s.proof_content = Duration::zero ();
  }
  s.proof_content += media;
  s.content_seen = true;
  Duration elapsed = now - *s.proof_start;
  /* A start-up burst banks at most one freeze's worth of credit. */
  if (s.proof_content > elapsed + config_.max_freeze)
    s.proof_content = elapsed + config_.max_freeze;
  /* Frozen for longer than allowed: the proof starts again with the next
   * new content. */
  if (config_.max_freeze > Duration::zero ()
      && elapsed - s.proof_content > config_.max_freeze)
    reset_proof (s);
}

bool
FailoverPolicy::proved (int index, TimePoint now) const
{
  const auto &s = slots_[index];
  if (!s.healthy_since || now - *s.healthy_since < holdoff (index))
    return false;
  if (config_.max_freeze <= Duration::zero ())
    return true;
  if (!s.proof_start || now - *s.proof_start < holdoff (index))
    return false;
  /* the content must reach up to now (no freeze at the end either) */
  return (now - *s.proof_start) - s.proof_content <= config_.max_freeze;
}

std::vector<Action>
FailoverPolicy::reject (int index, FailureReason reason,
                        const std::string &detail)
{
  std::vector<Action> out;
  auto &s = slots_.at (index);
  s.state = CandidateState::GivenUp;
  s.failures++;
  s.last_reason = reason_name (reason);
  Action a{ Action::Kind::GiveUp };
  a.index = index;
  a.reason = s.last_reason;
  a.fatal = true;
  a.attempt = 0;
  a.detail = detail;
  out.push_back (a);
  if (manual_ == index)
    manual_ = -1;
  return out;
}

void
FailoverPolicy::on_healthy (int index, TimePoint now)
{
  auto &s = slots_.at (index);
  if (s.state != CandidateState::Starting)
    return;
  s.state = CandidateState::Healthy;
  s.healthy_since = now;
  s.backoff_reset_done = false;
  reset_proof (s);
}

std::vector<Action>
FailoverPolicy::on_failure (int index, FailureReason reason, bool fatal,
                            const std::string &detail, TimePoint first_sign,
                            TimePoint now, Duration retry_floor)
{
  std::vector<Action> out;
  if (index < 0 || static_cast<std::size_t> (index) >= slots_.size ()
      || !running (index))
    return out;
  auto &s = slots_[index];
  const char *rname = reason_name (reason);

  Action failed{ Action::Kind::CandidateFailed };
  failed.index = index;
  failed.reason = rname;
  failed.fatal = fatal;
  failed.detail = detail;
  out.push_back (failed);

  s.failures++;
  s.last_reason = rname;
  /* Failed again soon after we came back to it, or a second time in a row
   * soon after it came up and produced: it is flapping (a half-dead input
   * that starts, delivers a little and stalls). Its hold-off grows. */
  bool quick = s.healthy_since && now - *s.healthy_since < 2 * holdoff (index);
  s.quick_failures = quick ? s.quick_failures + 1 : 0;
  bool flapping
      = (s.last_failback && now - *s.last_failback < 2 * holdoff (index))
        || s.quick_failures >= 2;
  if (flapping)
    s.holdoff_factor = std::min (s.holdoff_factor * 2,
                                 std::max (1, config_.max_holdoff_factor));
  s.healthy_since.reset ();
  reset_proof (s);
  s.last_failback.reset ();

  if (index == active_) {
    int next = best_healthy (index);
    cause_index_ = index;
    cause_ = reason;
    emit_switch (out, next, SwitchReason::Failure,
                 std::max (Duration::zero (), now - first_sign));
  }

  Action stop{ Action::Kind::Stop };
  stop.index = index;
  out.push_back (stop);

  std::optional<Duration> delay;
  if (!fatal) {
    if (retry_floor > Duration::zero ())
      s.backoff.set_floor (retry_floor);
    delay = s.backoff.next_delay ();
  }
  if (delay) {
    s.state = CandidateState::Waiting;
    s.retry_at = now + *delay;
    s.retries++;
    Action r{ Action::Kind::Retry };
    r.index = index;
    r.attempt = s.backoff.failures ();
    r.delay = *delay;
    r.reason = rname;
    out.push_back (r);
  } else {
    s.state = CandidateState::GivenUp;
    Action g{ Action::Kind::GiveUp };
    g.index = index;
    g.attempt = s.backoff.failures ();
    g.reason = rname;
    g.fatal = fatal;
    g.detail = detail;
    out.push_back (g);
    if (manual_ == index) {
      manual_ = -1;
      manual_pending_ = false;
    }
  }

  auto more = step (now);
  out.insert (out.end (), more.begin (), more.end ());
  return out;
}

bool
FailoverPolicy::request (int index)
{
  if (index == -1) {
    manual_ = -1;
    manual_pending_ = false;
    return true;
  }
  if (index < 0 || static_cast<std::size_t> (index) >= slots_.size ())
    return false;
  if (slots_[index].state == CandidateState::GivenUp)
    return false;
  manual_ = index;
  manual_pending_ = index != active_;
  /* A manual choice waiting for its retry is tried now. */
  if (slots_[index].state == CandidateState::Waiting)
    slots_[index].state = CandidateState::Idle;
  return true;
}

/* The running set at `now` (see the header's rules). */
std::vector<bool>
FailoverPolicy::wanted (TimePoint now) const
{
  std::vector<bool> want (slots_.size (), false);
  auto order = ranked ();
  if (active_ >= 0) {
    want[active_] = true;
    bool hot_found = !runs_backup (config_.standby) && !preparing (now);
    for (int i : order) {
      if (!eligible (i) || i == active_)
        continue;
      if (rank (i) < rank (active_)) {
        if (config_.auto_failback || i == manual_)
          want[i] = true;
      } else if (!hot_found) {
        want[i] = true;
        hot_found = true;
      }
    }
  } else {
    int serving = runs_backup (config_.standby) ? 2 : 1;
    int count = 0;
    for (int i : order) {
      if (!eligible (i))
        continue;
      if (count < serving || running (i))
        want[i] = true;
      count++;
    }
  }
  return want;
}

std::vector<Action>
FailoverPolicy::step (TimePoint now)
{
  std::vector<Action> out;

  for (auto &s : slots_) {
    if (s.state == CandidateState::Waiting && now >= s.retry_at)
      s.state = CandidateState::Idle;
    if (s.state == CandidateState::Healthy && s.healthy_since) {
      Duration healthy_for = now - *s.healthy_since;
      if (!s.backoff_reset_done && healthy_for >= config_.failback_holdoff) {
        s.backoff.reset ();
        s.backoff_reset_done = true;
      }
    }
  }
  if (active_ >= 0) {
    auto &s = slots_[active_];
    if (s.holdoff_factor > 1 && s.healthy_since
        && now - *s.healthy_since >= 4 * holdoff (active_))
      s.holdoff_factor = 1;
  }

  /* Which candidate goes on the output. */
  int best = best_healthy (-1);
  if (best >= 0 && best != active_) {
    bool wait_for_better = false;
    if (active_ < 0 && !ever_active_) {
      for (int i : ranked ()) {
        if (i == best)
          break;
        if (slots_[i].state == CandidateState::Starting
            && now - slots_[i].started_at < config_.startup_grace)
          wait_for_better = true;
      }
    }
    if (active_ < 0 && !wait_for_better) {
      bool manual = manual_pending_ && best == manual_;
      SwitchReason why = manual                 ? SwitchReason::Manual
                         : !ever_active_        ? SwitchReason::Start
                         : best == cause_index_ ? SwitchReason::Recovered
                         : cause_index_ >= 0    ? SwitchReason::Failure
                                                : SwitchReason::Recovered;
      emit_switch (out, best, why, Duration::zero ());
    } else if (rank (best) < rank (active_)) {
      if (manual_pending_ && best == manual_) {
        emit_switch (out, best, SwitchReason::Manual, Duration::zero ());
      } else if ((config_.auto_failback || best == manual_)
                 && proved (best, now)) {
        slots_[best].last_failback = now;
        emit_switch (out, best, SwitchReason::Failback, Duration::zero ());
      }
    }
  }
  if (manual_pending_ && active_ == manual_)
    manual_pending_ = false;

  /* Which candidates run. */
  std::vector<bool> want = wanted (now);
  auto order = ranked ();
  for (int i : order) {
    auto &s = slots_[i];
    if (want[i] && s.state == CandidateState::Idle) {
      s.state = CandidateState::Starting;
      s.started_at = now;
      s.healthy_since.reset ();
      Action a{ Action::Kind::Start };
      a.index = i;
      out.push_back (a);
    } else if (!want[i] && running (i)) {
      s.state = CandidateState::Idle;
      s.healthy_since.reset ();
      reset_proof (s);
      Action a{ Action::Kind::Stop };
      a.index = i;
      out.push_back (a);
    }
  }
  return out;
}

} // namespace resilient::failover
