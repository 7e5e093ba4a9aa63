/* gst-resilient: what to send first when a new session starts.
 *
 * During an outage the element holds encoded media, bounded by a time
 * limit, and a new session must start on a video keyframe. HoldQueue keeps
 * items (opaque handles with a timestamp, a size and a keyframe flag) and
 * trims them so that what it holds always starts at a keyframe and spans
 * at most `limit`, except that the most recent keyframe's group is always
 * kept (up to `gop_cap`) so a reconnect can start at once instead of
 * waiting for the next keyframe.
 *
 * Items without a keyframe notion (audio) follow the video: audio older
 * than the first held video keyframe is dropped. The template parameter is
 * the handle type (the element uses a GstBuffer pointer wrapper).
 */
#pragma once

#include "resilient/core/time.h"

#include <cstdint>
#include <deque>
#include <functional>

namespace resilient::restore {

struct HoldStats
{
  std::uint64_t dropped = 0;
  std::uint64_t dropped_bytes = 0;
};

template <typename T> class HoldQueue
{
public:
  struct Item
  {
    T value;
    TimePoint ts;
    std::size_t size = 0;
    /* Video items: true on a keyframe. Audio items: always false. */
    bool key = false;
    bool video = true;
  };

  HoldQueue (Duration limit = ms (0), Duration gop_cap = ms (10000))
      : limit_ (limit), gop_cap_ (gop_cap)
  {
  }

  void set_limit (Duration limit) { limit_ = limit; }
  Duration limit () const { return limit_; }
  /* When false (audio-only sessions) every item is a start point. */
  void set_has_video (bool v) { has_video_ = v; }

  /* Adds one item and trims. `drop` receives the items thrown away. */
  void push (Item item, const std::function<void (T &)> &drop)
  {
    if (has_video_ && items_.empty () && !(item.video && item.key)) {
      /* Nothing to start from yet. */
      stats_.dropped++;
      stats_.dropped_bytes += item.size;
      drop (item.value);
      return;
    }
    items_.push_back (std::move (item));
    trim (drop);
  }

  /* Hands out everything held, oldest first, and empties the queue. */
  void drain (const std::function<void (Item &)> &take)
  {
    for (auto &i : items_)
      take (i);
    items_.clear ();
  }

  /* Visits everything held, oldest first, keeping it. */
  void for_each (const std::function<void (const Item &)> &visit) const
  {
    for (auto &i : items_)
      visit (i);
  }

  void clear (const std::function<void (T &)> &drop)
  {
    for (auto &i : items_)
      drop (i.value);
    items_.clear ();
  }

  bool empty () const { return items_.empty (); }
  std::size_t size () const { return items_.size (); }
  /* Time span held, newest minus oldest. */
  Duration span () const
  {
    return items_.empty () ? Duration::zero ()
                           : items_.back ().ts - items_.front ().ts;
  }
  const HoldStats &stats () const { return stats_; }

private:
  bool is_start (const Item &i) const
  {
    return !has_video_ || (i.video && i.key);
  }

  void trim (const std::function<void (T &)> &drop)
  {
    const TimePoint newest = items_.back ().ts;
    /* The newest start point (keyframe) held: never dropped while the
     * group behind it is shorter than gop_cap. */
    std::size_t last_start = items_.size ();
    for (std::size_t i = items_.size (); i-- > 0;) {
      if (is_start (items_[i])) {
        last_start = i;
        break;
      }
    }
    auto drop_front = [&] {
      stats_.dropped++;
      stats_.dropped_bytes += items_.front ().size;
      drop (items_.front ().value);
      items_.pop_front ();
    };
    if (last_start < items_.size ()
        && newest - items_[last_start].ts > gop_cap_) {
      /* A group far longer than allowed: hold nothing until the next
       * keyframe. */
      while (!items_.empty ())
        drop_front ();
      return;
    }
    /* Drop whole groups from the front while the span exceeds the limit,
     * never past the newest start point. */
    while (!items_.empty () && last_start > 0
           && newest - items_.front ().ts > limit_) {
      /* Find the next start point after the front. */
      std::size_t next = 1;
      while (next < items_.size () && !is_start (items_[next]))
        next++;
      if (next > last_start)
        break;
      for (std::size_t k = 0; k < next; k++)
        drop_front ();
      last_start -= next;
    }
  }

  std::deque<Item> items_;
  Duration limit_;
  Duration gop_cap_;
  bool has_video_ = true;
  HoldStats stats_;
};

} // namespace resilient::restore
