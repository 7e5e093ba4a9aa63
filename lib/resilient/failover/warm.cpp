/* gst-resilient: warm standby's decisions (see warm.h). */
#include "resilient/failover/warm.h"

#include <algorithm>

namespace resilient::failover {

std::size_t
GopStore::pop_front (std::size_t n)
{
  n = std::min (n, kept_.size ());
  for (std::size_t i = 0; i < n; i++) {
    bytes_ -= kept_.front ().bytes;
    kept_.pop_front ();
  }
  return n;
}

bool
GopStore::over_limits () const
{
  if (kept_.size () > config_.max_units || bytes_ > config_.max_bytes)
    return true;
  if (kept_.empty () || !kept_.front ().pts)
    return false;
  Duration first = *kept_.front ().pts, newest = first;
  for (const auto &k : kept_)
    if (k.pts)
      newest = std::max (newest, *k.pts);
  return newest - first > config_.max_span;
}

GopStore::Step
GopStore::on_video (const EncodedUnit &u)
{
  Step s;
  if (u.keyframe) {
    /* A new GOP: the previous one is no longer needed to decode. */
    s.drop_front = pop_front (kept_.size ());
  } else if (kept_.empty ()) {
    return s; /* a delta unit without its keyframe: useless */
  }
  kept_.push_back ({ u.pts, u.bytes });
  bytes_ += u.bytes;
  if (over_limits ()) {
    /* Too long a GOP: keep nothing until the next keyframe. The unit just
     * arrived is not kept, so it is not among the released ones. */
    kept_.pop_back ();
    bytes_ -= u.bytes;
    s.drop_front += pop_front (kept_.size ());
    return s;
  }
  s.keep = true;
  return s;
}

GopStore::Step
GopStore::on_audio (const EncodedUnit &u)
{
  Step s;
  kept_.push_back ({ u.pts, u.bytes });
  bytes_ += u.bytes;
  s.keep = true;
  std::size_t drop = 0;
  if (u.pts) {
    while (kept_.size () - drop > 1 && kept_[drop].pts
           && *u.pts - *kept_[drop].pts > config_.audio_keep)
      drop++;
  }
  std::size_t cap = u.pts ? config_.max_units : config_.audio_units_without_pts;
  if (kept_.size () - drop > cap)
    drop = kept_.size () - cap;
  s.drop_front = pop_front (drop);
  return s;
}

GopStore::Step
GopStore::on_unit (const EncodedUnit &u)
{
  return video_ ? on_video (u) : on_audio (u);
}

std::vector<bool>
GopStore::wake ()
{
  std::vector<bool> decode_only (kept_.size (), false);
  if (video_ && !kept_.empty ()) {
    std::optional<Duration> newest;
    for (const auto &k : kept_)
      if (k.pts)
        newest = newest ? std::max (*newest, *k.pts) : *k.pts;
    for (std::size_t i = 0; i < kept_.size (); i++) {
      if (newest && kept_[i].pts)
        decode_only[i] = *kept_[i].pts + config_.show_window < *newest;
      else /* no timestamps to judge by: show only the last in order */
        decode_only[i] = i + 1 < kept_.size ();
    }
  }
  clear ();
  return decode_only;
}

void
GopStore::clear ()
{
  kept_.clear ();
  bytes_ = 0;
}

std::vector<EarlyWake::Change>
EarlyWake::on_suspect (int backup, TimePoint now)
{
  std::vector<Change> out;
  if (backup < 0)
    return out;
  last_sign_ = now;
  if (woken_ == backup)
    return out;
  if (woken_ >= 0) /* the backup changed (the woken one failed) */
    out.push_back ({ woken_, false, now - since_ });
  woken_ = backup;
  since_ = now;
  wakes_++;
  out.push_back ({ backup, true, Duration::zero () });
  return out;
}

std::vector<EarlyWake::Change>
EarlyWake::step (TimePoint now)
{
  std::vector<Change> out;
  if (woken_ >= 0 && now - last_sign_ >= config_.linger) {
    out.push_back ({ woken_, false, now - since_ });
    woken_ = -1;
  }
  return out;
}

void
EarlyWake::on_switch (int to)
{
  if (woken_ >= 0 && to == woken_)
    served_++;
  woken_ = -1;
}

} // namespace resilient::failover
