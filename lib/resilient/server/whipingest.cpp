#include "resilient/server/whipingest.h"

namespace resilient::server {

PublisherSlot::PublisherSlot (Takeover takeover, Duration connect_timeout,
                              Duration silence_timeout)
    : takeover_ (takeover), connect_timeout_ (connect_timeout),
      silence_timeout_ (silence_timeout)
{
}

std::optional<Route>
PublisherSlot::admit () const
{
  if (takeover_ == Takeover::Replace || sessions_.empty ())
    return std::nullopt;
  Route r;
  r.action = Action::Refuse;
  r.status = 409;
  r.title = "Conflict";
  r.detail = "a publisher is already connected to this endpoint (takeover "
             "is refuse); DELETE its session first";
  return r;
}

void
PublisherSlot::add (const std::string &id, const std::string &remote,
                    TimePoint now)
{
  Session s;
  s.remote = remote;
  s.created = now;
  sessions_[id] = s;
}

std::vector<PublisherEvent>
PublisherSlot::on_media (const std::string &id, TimePoint now)
{
  std::vector<PublisherEvent> out;
  auto it = sessions_.find (id);
  if (it == sessions_.end ())
    return out;
  it->second.last_media = now;
  if (active_ == id)
    return out;
  PublisherEvent e;
  e.id = id;
  e.remote = it->second.remote;
  it->second.active_since = now;
  auto old = sessions_.find (active_);
  if (old == sessions_.end ()) {
    e.kind = PublisherEvent::Kind::Connected;
  } else {
    e.kind = PublisherEvent::Kind::Replaced;
    e.previous_id = old->first;
    e.previous_remote = old->second.remote;
    e.active_for = now - old->second.active_since;
    sessions_.erase (old);
  }
  active_ = id;
  out.push_back (e);
  return out;
}

std::vector<PublisherEvent>
PublisherSlot::end (const std::string &id, const std::string &reason,
                    TimePoint now)
{
  std::vector<PublisherEvent> out;
  auto it = sessions_.find (id);
  if (it == sessions_.end ())
    return out;
  PublisherEvent e;
  e.id = id;
  e.remote = it->second.remote;
  e.reason = reason;
  if (active_ == id) {
    e.kind = PublisherEvent::Kind::Lost;
    e.active_for = now - it->second.active_since;
    active_.clear ();
  } else {
    e.kind = PublisherEvent::Kind::Dropped;
  }
  sessions_.erase (it);
  out.push_back (e);
  return out;
}

std::vector<PublisherEvent>
PublisherSlot::tick (TimePoint now)
{
  std::vector<std::pair<std::string, std::string>> gone;
  for (auto &[id, s] : sessions_) {
    if (s.last_media) {
      if (silence_timeout_.count () > 0
          && now - *s.last_media > silence_timeout_)
        gone.emplace_back (id, "no media for "
                                   + std::to_string (to_ms (silence_timeout_))
                                   + " ms");
    } else if (connect_timeout_.count () > 0
               && now - s.created > connect_timeout_) {
      gone.emplace_back (id, "no media within "
                                 + std::to_string (to_ms (connect_timeout_))
                                 + " ms of the offer");
    }
  }
  std::vector<PublisherEvent> out;
  for (auto &[id, why] : gone)
    for (auto &e : end (id, why, now))
      out.push_back (e);
  return out;
}

Duration
PublisherSlot::silence (TimePoint now) const
{
  auto it = sessions_.find (active_);
  if (it == sessions_.end () || !it->second.last_media)
    return Duration (0);
  return now - *it->second.last_media;
}

const char *
output_mode_name (OutputMode m)
{
  switch (m) {
  case OutputMode::Live:
    return "live";
  case OutputMode::Hold:
    return "hold";
  case OutputMode::Filler:
    return "filler";
  }
  return "filler";
}

OutputPolicy::OutputPolicy (Duration gap, Duration hold)
    : gap_ (gap), hold_ (hold)
{
}

OutputMode
OutputPolicy::mode (TimePoint now) const
{
  if (!last_)
    return OutputMode::Filler;
  Duration quiet = now - *last_;
  if (quiet <= gap_)
    return OutputMode::Live;
  if (quiet <= gap_ + hold_)
    return OutputMode::Hold;
  return OutputMode::Filler;
}

} // namespace resilient::server
