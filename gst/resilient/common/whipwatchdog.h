/* gst-resilient: the media watchdog of a connected WHIP/WHEP session
 * (whipwatchdog.cpp).
 *
 * Once connected, media must make progress: WHIP counts the highest RTP
 * sequence numbers the server acknowledges in its RTCP receiver reports
 * (from webrtcbin's get-stats, `rr_progress`), WHEP a counter of buffers
 * out of the element. No progress for media-timeout-ms after a first sign
 * of it (WHEP: or none at all) is a transient "media-timeout" failure.
 * While nothing has been sent since the last acknowledgement (the feed
 * stalled, not the server) the silence does not count. Owns the progress
 * seen so far and the acknowledgement count; the client owns the timer
 * and reports the failure. Loop thread only.
 */
#pragma once

#include <gst/gst.h>

#include <cstdint>
#include <optional>
#include <string>

namespace resilient::gst {

class WhipMediaWatchdog
{
public:
  /* `media_timeout_ms` 0: off. `counter`: progress is a local counter
   * (WHEP), else the server's RTCP acknowledgements (WHIP). */
  WhipMediaWatchdog (unsigned media_timeout_ms, bool counter)
    : timeout_ms_ (media_timeout_ms), counter_ (counter) {}

  bool enabled () const { return timeout_ms_ > 0; }
  /* Connected at `now_us` (g_get_monotonic_time): no progress seen yet. */
  void arm (std::int64_t now_us);
  /* How often progress is sampled: a quarter of the timeout, 100 ms to
   * 1 s. */
  guint64 period_ms () const;

  struct Result
  {
    /* The server acknowledged new RTP (WHIP): the count grew. */
    bool acked = false;
    /* Nothing sent since the last acknowledgement: silence not counted. */
    bool feed_stalled = false;
    /* The media-timeout failure's reason. */
    std::optional<std::string> timeout;
  };
  /* A sample: `progress` (valid once there is any), `sent` RTP packets so
   * far (WHIP; -1 when not known). */
  Result observe (std::uint64_t progress, bool valid, std::int64_t sent,
      std::int64_t now_us);

  /* RTCP receiver reports in which the server acknowledged new RTP. */
  std::uint64_t rtcp_acks () const { return rtcp_acks_; }

  /* From a get-stats reply: the sum of the highest sequence numbers the
   * server reports having received (remote-inbound-rtp) and the RTP
   * packets sent (outbound-rtp); false before the first receiver report. */
  static bool rr_progress (const GstStructure *stats, std::uint64_t &sum,
      std::int64_t &sent);

  /* Of one remote-inbound-rtp entry: the highest sequence number the
   * server reports in its receiver reports; false before the first. */
  static bool acked_seq (const GstStructure *remote_inbound, guint &seq);

private:
  unsigned timeout_ms_;
  bool counter_;
  bool progress_seen_ = false;
  std::uint64_t last_progress_ = 0;
  std::int64_t last_progress_us_ = 0;
  /* RTP packets sent when the server last acknowledged new ones (WHIP). */
  std::int64_t sent_at_progress_ = 0;
  std::uint64_t rtcp_acks_ = 0;
};

}  // namespace resilient::gst
