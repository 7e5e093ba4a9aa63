/* gst-resilient: the connect stage of a failoversrc candidate.
 *
 * A server that accepts the TCP connection and then answers garbage (or
 * nothing) keeps a protocol source such as rtmp2src in its handshake: no
 * byte ever comes out of it, no error either, and the candidate would sit
 * "starting" until startup-timeout (10 s) while the output shows filler.
 * The connect stage ends with the first buffer out of the candidate's
 * source element (or, for sources whose output the element cannot probe,
 * the first parsed or decoded buffer); a candidate still in it after
 * `limit` has failed (reason `connect-failed`). What follows the connect
 * stage (demuxing to the first keyframe, decoding) is startup-timeout's.
 *
 * The element hands in "anything came out yet" with "now" on every health
 * tick; nothing reads a clock.
 */
#pragma once

#include "resilient/core/time.h"

#include <optional>

namespace resilient::failover {

class ConnectCheck
{
public:
  /* `limit` zero: the check is off. */
  ConnectCheck (Duration limit, TimePoint started)
      : limit_ (limit), started_ (started)
  {
  }

  void set_limit (Duration limit) { limit_ = limit; }
  Duration limit () const { return limit_; }

  /* `data`: the run has put out anything yet. Returns when the connect
   * stage began (the failure's first sign) once it has lasted `limit` with
   * nothing out; nullopt otherwise. Once connected the check is off for the
   * rest of the run; once failed the verdict stays. */
  std::optional<TimePoint> update (TimePoint now, bool data);

  bool connected () const { return connected_; }

private:
  Duration limit_;
  TimePoint started_;
  bool connected_ = false;
  bool failed_ = false;
};

} // namespace resilient::failover
