#include "resilient/failover/stall.h"

#include <algorithm>
#include <cmath>

namespace resilient::failover {

const char *
silence_name (Silence s)
{
  switch (s) {
  case Silence::Learning:
    return "learning";
  case Silence::Normal:
    return "normal";
  case Silence::Suspect:
    return "suspect";
  case Silence::Stalled:
    return "stalled";
  }
  return "unknown";
}

void
StallDetector::on_arrival (TimePoint t)
{
  if (!last_) {
    last_ = t;
    return;
  }
  Duration gap = std::max (Duration::zero (), t - *last_);
  last_ = std::max (*last_, t);
  if (gap < config_.burst_join)
    return; /* same burst */
  if (samples_ == 0) {
    mean_ = gap;
    var_ = gap / 2;
  } else {
    /* RFC 6298: the variation from the old mean, then the mean. */
    Duration dev = gap > mean_ ? gap - mean_ : mean_ - gap;
    var_ = (3 * var_ + dev) / 4;
    mean_ = (7 * mean_ + gap) / 8;
  }
  /* The peak decays from when it was set, then a longer gap replaces it. */
  Duration decayed = peak_;
  if (config_.peak_half_life > Duration::zero () && peak_ > Duration::zero ()) {
    double halves
        = std::chrono::duration<double> (t - peak_at_).count ()
          / std::chrono::duration<double> (config_.peak_half_life).count ();
    decayed
        = Duration ((std::int64_t) (static_cast<double> (peak_.count ())
                                    * std::pow (0.5, std::max (0.0, halves))));
  }
  if (gap >= decayed) {
    peak_ = gap;
    peak_at_ = t;
  }
  recent_peak_ = std::max (gap, decayed);
  samples_++;
}

bool
StallDetector::learned () const
{
  return config_.tolerance > Duration::zero ()
         && samples_ >= config_.min_samples;
}

Duration
StallDetector::rhythm () const
{
  return 2 * mean_ + 4 * var_;
}

Duration
StallDetector::limit () const
{
  if (!learned ())
    return config_.ceiling;
  auto peak = Duration ((std::int64_t) (
      static_cast<double> (recent_peak_.count ()) * config_.peak_factor));
  Duration l = std::max (rhythm () + config_.tolerance, peak);
  return std::min (l, config_.ceiling);
}

Duration
StallDetector::suspect_after () const
{
  Duration l = limit ();
  if (!learned ())
    return l;
  return std::min (rhythm () + config_.tolerance / 2, l);
}

Silence
StallDetector::judge (TimePoint now) const
{
  if (!last_)
    return Silence::Learning;
  Duration silent = now - *last_;
  if (silent >= limit ())
    return Silence::Stalled;
  if (!learned ())
    return Silence::Learning;
  return silent >= suspect_after () ? Silence::Suspect : Silence::Normal;
}

std::optional<TimePoint>
StallDetector::deadline () const
{
  if (!last_)
    return std::nullopt;
  return *last_ + limit ();
}

} // namespace resilient::failover
