/* gst-resilient: the health verdicts of a running publish session.
 *
 * BitrateWatch: the seed's "bitrate drops to 0" check. Every check interval
 * the element passes the cumulative bytes that left towards the server and
 * the cumulative bytes that came in from upstream. An interval with nothing
 * out while something came in counts as a zero; `max_tries` zeros in a row
 * mean republish. An interval with no input is not the network's fault and
 * neither counts nor resets.
 *
 * PingWatch: the seed's "missing pings". Something the peer sends back
 * (RTMP acknowledgements, SRT ACK packets, RTCP receiver reports) is the
 * ping. A ping is due every period / max_missing while the peer owes one;
 * `max_missing` missing in a row (so `period` without any ping while owed)
 * means the connection is dead.
 *
 * RefusalDetector: servers such as nginx-rtmp refuse a stream key by
 * closing the connection right after the publish command, which the client
 * cannot tell from a crash by the error alone. A connection that was
 * accepted and then closed by the server before media was seen flowing,
 * within `window` of its start, `threshold` times in a row while the server
 * kept accepting connections, is a refusal. A server found not accepting
 * (refused connect, failed probe) in between restarts the count: that was a
 * server going down and coming back, however briefly it carried media.
 */
#pragma once

#include "resilient/core/time.h"

#include <cstdint>
#include <optional>

namespace resilient::restore {

class BitrateWatch
{
public:
  enum class Verdict {
    /* Bytes went out (or no input to judge by). */
    Ok,
    /* A zero interval, still below max_tries. */
    Zero,
    /* max_tries zero intervals in a row: republish. */
    Failed,
  };

  BitrateWatch (Duration interval = ms (500), int max_tries = 3);

  /* A new session: forget the previous counters. */
  void reset ();
  /* One check; `out_total` and `in_total` are cumulative byte counts. */
  Verdict sample (TimePoint now, std::uint64_t out_total,
                  std::uint64_t in_total);

  int zero_count () const { return zeros_; }
  /* Outgoing bitrate over the last checked interval, kbit/s. */
  double last_kbps () const { return kbps_; }
  Duration interval () const { return interval_; }
  int max_tries () const { return max_tries_; }
  bool enabled () const
  {
    return interval_ > Duration::zero () && max_tries_ > 0;
  }

private:
  Duration interval_;
  int max_tries_;
  int zeros_ = 0;
  double kbps_ = 0.0;
  std::optional<TimePoint> last_at_;
  std::uint64_t last_out_ = 0;
  std::uint64_t last_in_ = 0;
};

class PingWatch
{
public:
  PingWatch (Duration period = ms (5000), int max_missing = 10);

  /* A new session starts at `now`. */
  void reset (TimePoint now);
  /* One check. `pings_total` is the cumulative count of pings received;
   * `owed` says whether the peer owes one (data sent it has not yet
   * acknowledged beyond its window). Returns true when the connection is
   * dead. */
  bool sample (TimePoint now, std::uint64_t pings_total, bool owed);

  /* Pings missed in a row so far. */
  int missing () const { return missing_; }
  std::uint64_t pings () const { return last_pings_; }
  bool enabled () const
  {
    return period_ > Duration::zero () && max_missing_ > 0;
  }

private:
  Duration period_;
  int max_missing_;
  std::uint64_t last_pings_ = 0;
  std::optional<TimePoint> owed_since_;
  int missing_ = 0;
};

class RefusalDetector
{
public:
  RefusalDetector (Duration window = ms (2000), int threshold = 2);

  /* A session ended. `accepted`: the transport connection was accepted;
   * `closed_by_peer`: the server closed it; `media_acked`: the server
   * acknowledged media; `lifetime`: from session start to the failure.
   * Returns true when this is the threshold-th early close in a row. */
  bool on_session_end (bool accepted, bool closed_by_peer, bool media_acked,
                       Duration lifetime);
  /* Media flowed: not a refusal. */
  void on_connected () { early_closes_ = 0; }
  /* The server was found not accepting connections (a refused connect or
   * a failed probe): the closes before were a server going down, not a
   * refusal of this publisher. */
  void on_unreachable () { early_closes_ = 0; }
  int early_closes () const { return early_closes_; }

private:
  Duration window_;
  int threshold_;
  int early_closes_ = 0;
};

} // namespace resilient::restore
