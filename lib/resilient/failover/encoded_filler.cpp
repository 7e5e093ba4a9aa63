/* gst-resilient: failoversrc mode=encoded, the filler's rules
 * (see encoded_filler.h). */
#include "resilient/failover/encoded_filler.h"

namespace resilient::failover {

Slate::Step
Slate::tick (const std::string &format, TimePoint now)
{
  if (!running_.empty ()) {
    if (started_ && now - *started_ >= config_.encode_limit)
      return Step::Abandon;
    return Step::None;
  }
  if (format.empty () || format == made_ || failed_.count (format))
    return Step::None;
  running_ = format;
  started_ = now;
  return Step::Encode;
}

bool
Slate::finished (std::size_t units)
{
  std::string format;
  format.swap (running_);
  started_.reset ();
  if (format.empty ())
    return false;
  if (units == 0)
    return failed_.insert (format).second;
  made_ = format;
  units_ = units;
  next_ = 0;
  return false;
}

std::size_t
Slate::next_unit ()
{
  if (units_ == 0)
    return 0;
  const std::size_t i = next_ % units_;
  next_ = (i + 1) % units_;
  return i;
}

std::optional<TimePoint>
closing_slate_at (std::optional<TimePoint> last_video, TimePoint cut,
                  Duration frame)
{
  if (!last_video || frame <= Duration::zero ())
    return std::nullopt;
  const TimePoint at = cut - frame;
  if (at <= *last_video)
    return std::nullopt;
  return at;
}

std::vector<std::size_t>
slate_units (const std::vector<bool> &keyframe, bool video)
{
  std::vector<std::size_t> out;
  if (!video) {
    if (!keyframe.empty ())
      out.push_back (keyframe.size () / 2);
    return out;
  }
  for (std::size_t i = 0; i < keyframe.size () && out.size () < 2; i++)
    if (keyframe[i])
      out.push_back (i);
  return out;
}

} // namespace resilient::failover
