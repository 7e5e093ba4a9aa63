/* gst-resilient: "this candidate's stream cannot be made sense of".
 *
 * A server that accepts and sends random bytes (or a stream whose header
 * fools the typefinder into a weak match, e.g. an FLV signature followed by
 * garbage) keeps a candidate "starting" until startup-timeout: bytes flow,
 * no demuxer or parser ever gets an elementary stream out of them, nothing
 * is decoded. This check ends that early: once the candidate's source
 * element has put out kUndecodableBytes while no buffer has entered any
 * parser or decoder and no decoded buffer came out, the stream is proven
 * undecodable and the candidate has failed (reason `undecodable`).
 *
 * The element counts (from pad probes) the bytes out of the source element
 * and the buffers into parsers/decoders plus the decoded buffers, and hands
 * the cumulative counters in with "now" on every health tick. Once anything
 * made sense, the check is off for the rest of the run (a stream that
 * decoded and then turns into garbage is the timeout's business).
 */
#pragma once

#include "resilient/core/time.h"

#include <cstdint>
#include <optional>

namespace resilient::failover {

/* Bytes out of a candidate's source element with nothing parsed or decoded
 * that prove the stream undecodable. Real containers give their demuxer an
 * elementary stream early: FLV/Matroska/MP4 at their first tag, cluster or
 * moov; MPEG-TS at the first PAT/PMT, which ETSI TR 101 290 allows to be up
 * to 500 ms apart: at 64 Mbit/s that is 4 MB, so 4 MiB never fails a
 * conforming stream joined mid-way, while a garbage server on a LAN or
 * loopback spends it within milliseconds (at 10 Mbit/s in 3.4 s, still far
 * under startup-timeout). */
inline constexpr std::uint64_t kUndecodableBytes = 4 * 1024 * 1024;

class UndecodableCheck
{
public:
  explicit UndecodableCheck (std::uint64_t budget = kUndecodableBytes)
      : budget_ (budget)
  {
  }

  /* Feeds the cumulative counters of one run: bytes out of the source
   * element, buffers into parsers and decoders, decoded buffers out.
   * Returns when the stream was proven undecodable (the first update at
   * which the budget was spent with nothing parsed), nullopt while it is
   * not (or once anything made sense). The verdict stays once given. */
  std::optional<TimePoint> update (TimePoint now, std::uint64_t source_bytes,
                                   std::uint64_t parsed_buffers,
                                   std::uint64_t decoded_buffers);

  std::uint64_t budget () const { return budget_; }

private:
  std::uint64_t budget_;
  bool made_sense_ = false;
  std::optional<TimePoint> proven_;
};

} // namespace resilient::failover
