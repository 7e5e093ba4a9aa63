/* gst-resilient WHIP: is the server still sending feedback?
 *
 * The fast half of WHIP liveness (rrwatch.h is the slow half). A WHIP
 * server that negotiated transport-wide congestion control sends RTCP
 * transport-cc feedback several times a second while RTP reaches it
 * (browsers every 50-100 ms, GStreamer's rtpsession on every marked
 * packet); receiver reports, NACKs and PLIs come on top. Any RTCP packet
 * from the server is a sign of life. The watch learns the server's cadence
 * (the median gap between two RTCP arrivals over the last `window` gaps)
 * and declares it dead after `factor` x that gap (at least `floor`) of
 * silence while RTCP is owed: from the first RTP packet sent after the
 * last arrival, so a publisher whose encoder stalls is owed nothing. Until
 * `min_gaps` gaps are known, or when the allowance would be above
 * `ceiling` (a server that only sends receiver reports every few seconds),
 * the watch does not judge: the receiver-report watch does.
 * False alarms: with 2 % of the feedback lost at random, a verdict needs
 * `factor` - 1 = 5 losses in a row (2 % ^ 5 = 3e-9 per packet: about once
 * in 10 000 hours at 10 packets a second); detection after the last
 * arrival: 6 x the cadence, 600 ms at 100 ms (plus one poll).
 * ICE consent freshness would be a third sign, but libnice 0.1.21 does not
 * run it.
 * Time is passed in.
 */
#pragma once

#include "resilient/core/time.h"

#include <cstdint>
#include <deque>
#include <optional>

namespace resilient::whip {

class FeedbackWatch
{
public:
  struct Config
  {
    int factor = 6;
    Duration floor = ms (500);
    Duration ceiling = ms (2000);
    std::size_t window = 32;
    std::size_t min_gaps = 3;
  };

  FeedbackWatch () : FeedbackWatch (Config{}) {}
  explicit FeedbackWatch (Config config);

  /* One sample: `rtcp_packets` is the count of RTCP packets received from
   * the server so far, `packets_sent` the RTP packets sent so far. Returns
   * true when the server is dead (and keeps returning true). */
  bool sample (TimePoint now, std::uint64_t rtcp_packets,
               std::uint64_t packets_sent);

  /* The watch judges (enough gaps learned, allowance under the ceiling). */
  bool judging () const;
  /* The silence allowed now; zero while not judging. */
  Duration allowed () const;
  /* Silence so far while RTCP is owed, else zero. */
  Duration silence (TimePoint now) const;
  /* When RTCP last came from the server: the last moment the server is
   * known to have had our media. */
  std::optional<TimePoint> last_arrival () const { return last_arrival_; }
  std::uint64_t arrivals () const { return arrivals_; }

private:
  Config config_;
  std::optional<std::uint64_t> last_count_;
  std::optional<TimePoint> last_arrival_;
  std::uint64_t packets_at_arrival_ = 0;
  std::optional<TimePoint> owed_since_;
  std::deque<Duration> gaps_;
  std::uint64_t arrivals_ = 0;
  bool dead_ = false;
};

} // namespace resilient::whip
