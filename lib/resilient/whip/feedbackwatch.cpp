/* gst-resilient WHIP: feedback liveness (see feedbackwatch.h). */
#include "resilient/whip/feedbackwatch.h"

#include <algorithm>

namespace resilient::whip {

FeedbackWatch::FeedbackWatch (Config config) : config_ (config) {}

bool
FeedbackWatch::sample (TimePoint now, std::uint64_t rtcp_packets,
                       std::uint64_t packets_sent)
{
  if (dead_)
    return true;
  const bool arrived
      = last_count_ ? rtcp_packets > *last_count_ : rtcp_packets > 0;
  last_count_ = rtcp_packets;
  if (arrived) {
    if (last_arrival_) {
      gaps_.push_back (now - *last_arrival_);
      while (gaps_.size () > config_.window)
        gaps_.pop_front ();
    }
    last_arrival_ = now;
    packets_at_arrival_ = packets_sent;
    owed_since_.reset ();
    arrivals_++;
    return false;
  }
  if (!last_arrival_)
    return false;
  /* RTCP is owed from the first RTP packet the server has not had the
   * chance to answer. */
  if (!owed_since_ && packets_sent > packets_at_arrival_)
    owed_since_ = now;
  if (!owed_since_ || !judging ())
    return false;
  dead_ = silence (now) >= allowed ();
  return dead_;
}

/* The median gap: a lost packet or two stretch single gaps, not it. */
static Duration
typical_gap (std::deque<Duration> gaps)
{
  auto mid = gaps.begin () + gaps.size () / 2;
  std::nth_element (gaps.begin (), mid, gaps.end ());
  return *mid;
}

bool
FeedbackWatch::judging () const
{
  if (gaps_.size () < config_.min_gaps)
    return false;
  return std::max (config_.floor, config_.factor * typical_gap (gaps_))
         <= config_.ceiling;
}

Duration
FeedbackWatch::allowed () const
{
  if (!judging ())
    return Duration::zero ();
  return std::max (config_.floor, config_.factor * typical_gap (gaps_));
}

Duration
FeedbackWatch::silence (TimePoint now) const
{
  return owed_since_ ? now - *owed_since_ : Duration::zero ();
}

} // namespace resilient::whip
