#include "resilient/restore/watchers.h"

namespace resilient::restore {

BitrateWatch::BitrateWatch (Duration interval, int max_tries)
    : interval_ (interval), max_tries_ (max_tries)
{
}

void
BitrateWatch::reset ()
{
  zeros_ = 0;
  kbps_ = 0.0;
  last_at_.reset ();
  last_out_ = 0;
  last_in_ = 0;
}

BitrateWatch::Verdict
BitrateWatch::sample (TimePoint now, std::uint64_t out_total,
                      std::uint64_t in_total)
{
  if (!last_at_) {
    last_at_ = now;
    last_out_ = out_total;
    last_in_ = in_total;
    return Verdict::Ok;
  }
  const std::uint64_t out = out_total >= last_out_ ? out_total - last_out_ : 0;
  const std::uint64_t in = in_total >= last_in_ ? in_total - last_in_ : 0;
  const Duration span = now - *last_at_;
  if (span > Duration::zero ())
    kbps_ = static_cast<double> (out) * 8.0 * 1e6
            / static_cast<double> (span.count ());
  last_at_ = now;
  last_out_ = out_total;
  last_in_ = in_total;

  if (out > 0) {
    zeros_ = 0;
    return Verdict::Ok;
  }
  if (in == 0)
    return zeros_ > 0 ? Verdict::Zero : Verdict::Ok;
  zeros_++;
  if (enabled () && zeros_ >= max_tries_)
    return Verdict::Failed;
  return Verdict::Zero;
}

PingWatch::PingWatch (Duration period, int max_missing)
    : period_ (period), max_missing_ (max_missing)
{
}

void
PingWatch::reset (TimePoint now)
{
  last_pings_ = 0;
  owed_since_.reset ();
  missing_ = 0;
}

bool
PingWatch::sample (TimePoint now, std::uint64_t pings_total, bool owed)
{
  if (pings_total != last_pings_) {
    last_pings_ = pings_total;
    missing_ = 0;
    owed_since_ = owed ? std::optional<TimePoint> (now) : std::nullopt;
    return false;
  }
  if (!owed) {
    owed_since_.reset ();
    missing_ = 0;
    return false;
  }
  if (!owed_since_) {
    owed_since_ = now;
    return false;
  }
  if (!enabled ())
    return false;
  const Duration slot = period_ / max_missing_;
  if (slot <= Duration::zero ())
    return false;
  missing_ = static_cast<int> ((now - *owed_since_) / slot);
  return missing_ >= max_missing_;
}

RefusalDetector::RefusalDetector (Duration window, int threshold)
    : window_ (window), threshold_ (threshold)
{
}

bool
RefusalDetector::on_session_end (bool accepted, bool closed_by_peer,
                                 bool media_acked, Duration lifetime)
{
  if (accepted && closed_by_peer && !media_acked && lifetime <= window_) {
    early_closes_++;
    return threshold_ > 0 && early_closes_ >= threshold_;
  }
  early_closes_ = 0;
  return false;
}

} // namespace resilient::restore
