/* gst-resilient server side: the decisions of a WHIP ingest
 * (reswhipserversrc), plain C++ with time passed in.
 *
 * - PublisherSlot: the publisher sessions of one endpoint and which one
 *   feeds the output. A session is "connecting" until its first media, and
 *   the first to send media becomes the active publisher ("connected").
 *   With takeover=Replace a second publisher is admitted next to the
 *   active one and takes over when its own media starts (make before
 *   break: the old one is dropped only then, "replaced"); with
 *   takeover=Refuse it gets 409 while any publisher is there. The active
 *   publisher is "lost" after DELETE, a failed/closed connection or
 *   `silence_timeout` without media; a session that never sends media is
 *   dropped after `connect_timeout`.
 * - OutputPolicy: what the output carries at a moment: the publisher's
 *   media (live), the last frame again (hold, for `hold` after the media
 *   stopped), or filler (black and silence).
 */
#pragma once

#include "resilient/core/time.h"
#include "resilient/server/whepserver.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace resilient::server {

enum class Takeover { Replace, Refuse };

struct PublisherEvent
{
  enum class Kind {
    Connected, /* `id` is the active publisher now (there was none) */
    Replaced,  /* `id` took over from `previous_id`, which must go */
    Lost,      /* the active publisher `id` is gone (`reason`) */
    Dropped,   /* a session that never became active is gone (`reason`) */
  };
  Kind kind;
  std::string id;
  std::string remote;
  std::string previous_id;
  std::string previous_remote;
  std::string reason;
  Duration active_for{ 0 }; /* Lost / Replaced: how long the one that went
                               was active */
};

class PublisherSlot
{
public:
  PublisherSlot (Takeover takeover, Duration connect_timeout,
                 Duration silence_timeout);

  /* Whether a new publisher may come in: nullopt, or the 409 refusal. */
  std::optional<Route> admit () const;
  void add (const std::string &id, const std::string &remote, TimePoint now);
  /* Media (RTP) of session `id` arrived at `now`. */
  std::vector<PublisherEvent> on_media (const std::string &id, TimePoint now);
  /* Session `id` ended: DELETE, connection failed or closed, error. */
  std::vector<PublisherEvent> end (const std::string &id,
                                   const std::string &reason, TimePoint now);
  /* Timeouts at `now`. */
  std::vector<PublisherEvent> tick (TimePoint now);

  bool has (const std::string &id) const { return sessions_.count (id) != 0; }
  const std::string &active () const { return active_; }
  std::size_t size () const { return sessions_.size (); }
  /* Time since the active publisher's last media; 0 when none. */
  Duration silence (TimePoint now) const;

private:
  struct Session
  {
    std::string remote;
    TimePoint created;
    std::optional<TimePoint> last_media;
    TimePoint active_since{ 0 };
  };

  Takeover takeover_;
  Duration connect_timeout_;
  Duration silence_timeout_;
  std::map<std::string, Session> sessions_;
  std::string active_;
};

enum class OutputMode { Live, Hold, Filler };

const char *output_mode_name (OutputMode m);

class OutputPolicy
{
public:
  /* Media is live while it arrived within `gap`; after that the last
   * frame is held for `hold`, then filler. Filler until the first media. */
  OutputPolicy (Duration gap, Duration hold);

  void on_media (TimePoint now) { last_ = now; }
  OutputMode mode (TimePoint now) const;

private:
  Duration gap_;
  Duration hold_;
  std::optional<TimePoint> last_;
};

} // namespace resilient::server
