#include "resilient/failover/content.h"

#include <algorithm>
#include <cstdlib>

namespace resilient::failover {

void
ContentMonitor::on_video (TimePoint t, const std::vector<std::uint8_t> &luma)
{
  if (luma.empty ())
    return;
  bool black
      = *std::max_element (luma.begin (), luma.end ()) <= config_.black_luma;
  black_.update (t, black);
  if (previous_.size () == luma.size ()) {
    std::uint64_t diff = 0;
    for (std::size_t i = 0; i < luma.size (); i++)
      diff += (std::uint64_t)std::abs ((int)luma[i] - (int)previous_[i]);
    /* A black picture is judged as black, not also as frozen. */
    frozen_.update (
        t, !black && (double)diff / (double)luma.size () < config_.frozen_diff);
  }
  previous_ = luma;
}

void
ContentMonitor::on_audio (TimePoint t, double peak_db)
{
  silent_.update (t, peak_db < config_.silence_db);
}

std::optional<ContentFault>
ContentMonitor::lasted (const Condition &c, Duration limit, Failure reason,
                        TimePoint now) const
{
  if (limit <= Duration::zero () || !c.since || now - *c.since < limit)
    return std::nullopt;
  return ContentFault{ reason, *c.since, now - *c.since };
}

std::optional<ContentFault>
ContentMonitor::judge (TimePoint now) const
{
  if (auto f = lasted (black_, config_.black, Failure::BlackVideo, now))
    return f;
  if (auto f = lasted (frozen_, config_.frozen, Failure::FrozenVideo, now))
    return f;
  return lasted (silent_, config_.silence, Failure::SilentAudio, now);
}

bool
ContentMonitor::alive () const
{
  bool dead = (config_.black > Duration::zero () && black_.since)
              || (config_.frozen > Duration::zero () && frozen_.since)
              || (config_.silence > Duration::zero () && silent_.since);
  return !dead;
}

} // namespace resilient::failover
