/* gst-resilient WHIP: is the server still acknowledging our RTP?
 *
 * A WHIP publisher's only sign of life from the server is its RTCP receiver
 * reports (libnice 0.1.21 has no ICE consent freshness). A "ping" is a
 * receiver report acknowledging new packets. The watch follows the same
 * settings as the RTMP/SRT ping watch ("max_missing pings missing over
 * period": dead after `period` without a ping; 0 in either disables), with
 * one allowance: a server's report interval is its own (RFC 3550: a
 * deterministic interval T, randomised to 0.5 T .. 1.5 T, T >= 5 s for a
 * plain RTP stack, about 1 s for browsers and SFUs). So the silence
 * allowed is the larger of `period` and
 *   - 3 x the longest gap seen between two reports (any gap is >= 0.5 T,
 *     no gap exceeds 1.5 T), once one gap is known;
 *   - 7.5 s (1.5 x RFC 3550's 5 s minimum) until then.
 * The watch arms only after the first report, and a ping is owed only
 * from the first packet sent after the last one: a server that never
 * reports is never judged, and a publisher sending nothing (a stalled
 * encoder) is owed nothing. Time is passed in.
 */
#pragma once

#include "resilient/core/time.h"

#include <cstdint>
#include <optional>

namespace resilient::whip {

class ReceiverReportWatch
{
public:
  ReceiverReportWatch (Duration period = ms (5000), int max_missing = 10);

  /* One sample: `progress` is the acknowledged-sequence sum of the latest
   * receiver reports (nullopt: none received yet), `packets_sent` the
   * RTP packets sent so far. Returns true when the server is dead. */
  bool sample (TimePoint now, std::optional<std::uint64_t> progress,
               std::uint64_t packets_sent);

  bool enabled () const
  {
    return period_ > Duration::zero () && max_missing_ > 0;
  }
  /* Receiver reports that acknowledged new packets so far. */
  std::uint64_t pings () const { return pings_; }
  /* The silence allowed now (see above). */
  Duration allowed () const;
  /* Silence so far: since a ping is owed (the first packet after the last
   * ping), zero while none is. */
  Duration silence (TimePoint now) const;
  /* Pings missed in a row: silence / (period / max_missing). */
  int missing (TimePoint now) const;

  /* 1.5 x RFC 3550's minimum RTCP interval. */
  static constexpr Duration kUnlearnedAllowance = ms (7500);

private:
  Duration period_;
  int max_missing_;
  std::optional<std::uint64_t> last_progress_;
  std::optional<TimePoint> last_ping_;
  std::uint64_t packets_at_ping_ = 0;
  std::optional<TimePoint> owed_since_;
  Duration longest_gap_ = Duration::zero ();
  std::uint64_t pings_ = 0;
};

} // namespace resilient::whip
