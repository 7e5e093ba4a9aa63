/* gst-resilient WHIP: receiver-report liveness (see rrwatch.h). */
#include "resilient/whip/rrwatch.h"

#include <algorithm>

namespace resilient::whip {

ReceiverReportWatch::ReceiverReportWatch (Duration period, int max_missing)
    : period_ (period), max_missing_ (max_missing)
{
}

bool
ReceiverReportWatch::sample (TimePoint now,
                             std::optional<std::uint64_t> progress,
                             std::uint64_t packets_sent)
{
  if (progress && (!last_progress_ || *progress != *last_progress_)) {
    if (last_ping_)
      longest_gap_ = std::max (longest_gap_, now - *last_ping_);
    last_progress_ = progress;
    last_ping_ = now;
    packets_at_ping_ = packets_sent;
    owed_since_.reset ();
    pings_++;
    return false;
  }
  if (!last_ping_)
    return false;
  /* A ping is owed from the first packet the server has not yet had the
   * chance to acknowledge. */
  if (!owed_since_ && packets_sent > packets_at_ping_)
    owed_since_ = now;
  if (!enabled () || !owed_since_)
    return false;
  return silence (now) >= allowed ();
}

Duration
ReceiverReportWatch::allowed () const
{
  Duration learned = longest_gap_ > Duration::zero () ? 3 * longest_gap_
                                                      : kUnlearnedAllowance;
  return std::max (period_, learned);
}

Duration
ReceiverReportWatch::silence (TimePoint now) const
{
  return owed_since_ ? now - *owed_since_ : Duration::zero ();
}

int
ReceiverReportWatch::missing (TimePoint now) const
{
  if (!enabled () || !owed_since_)
    return 0;
  const Duration slot = period_ / max_missing_;
  if (slot <= Duration::zero ())
    return 0;
  return static_cast<int> (silence (now) / slot);
}

} // namespace resilient::whip
