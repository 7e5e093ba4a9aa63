/* gst-resilient: the media watchdog of a connected WHIP/WHEP session
 * (whipwatchdog.h) */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "common/whipwatchdog.h"

#include <gst/webrtc/webrtc.h>

#include <algorithm>

namespace resilient::gst {

void
WhipMediaWatchdog::arm (std::int64_t now_us)
{
  progress_seen_ = false;
  last_progress_us_ = now_us;
}

guint64
WhipMediaWatchdog::period_ms () const
{
  return std::min<guint64> (1000, std::max<guint64> (100, timeout_ms_ / 4));
}

WhipMediaWatchdog::Result
WhipMediaWatchdog::observe (std::uint64_t progress, bool valid,
    std::int64_t sent, std::int64_t now_us)
{
  Result r;
  if (valid && (!progress_seen_ || progress != last_progress_)) {
    if (!counter_) {
      rtcp_acks_++;
      r.acked = true;
    }
    progress_seen_ = true;
    last_progress_ = progress;
    last_progress_us_ = now_us;
    sent_at_progress_ = sent;
  } else if (progress_seen_ && sent >= 0 && sent <= sent_at_progress_) {
    /* Nothing has left since the server's last acknowledgement (the feed
     * stalled, not the server): there is nothing new for it to
     * acknowledge, so its reports standing still say nothing about it.
     * The silence is counted from the first packet sent after that. */
    r.feed_stalled = true;
    last_progress_us_ = now_us;
  }
  /* without a first sign of media (or of RTCP from the server) the
   * watchdog stays unarmed: some servers never send receiver reports */
  std::int64_t idle_ms = (now_us - last_progress_us_) / 1000;
  if (progress_seen_ && idle_ms >= (std::int64_t) timeout_ms_)
    r.timeout = std::string ("no media progress for ")
        + std::to_string (idle_ms) + " ms (" + (counter_ ?
        "nothing received" : "the server stopped acknowledging RTP")
        + "): the server or the path is gone";
  else if (!progress_seen_ && counter_
      && idle_ms >= (std::int64_t) timeout_ms_)
    r.timeout = "connected but no media arrived within "
        + std::to_string (timeout_ms_) + " ms";
  return r;
}

bool
WhipMediaWatchdog::rr_progress (const GstStructure *stats,
    std::uint64_t &sum, std::int64_t &sent)
{
  bool any = false;
  sum = 0;
  sent = 0;
  gint n = gst_structure_n_fields (stats);
  for (gint i = 0; i < n; i++) {
    const GValue *v = gst_structure_get_value (stats,
        gst_structure_nth_field_name (stats, i));
    if (!GST_VALUE_HOLDS_STRUCTURE (v))
      continue;
    const GstStructure *s = gst_value_get_structure (v);
    GstWebRTCStatsType type;
    if (!gst_structure_get (s, "type", GST_TYPE_WEBRTC_STATS_TYPE, &type,
            NULL))
      continue;
    if (type == GST_WEBRTC_STATS_OUTBOUND_RTP) {
      guint64 packets = 0;
      if (gst_structure_get_uint64 (s, "packets-sent", &packets))
        sent += (std::int64_t) packets;
      continue;
    }
    guint seq = 0;
    if (type == GST_WEBRTC_STATS_REMOTE_INBOUND_RTP && acked_seq (s, seq)) {
      sum += seq;
      any = true;
    }
  }
  return any;
}

bool
WhipMediaWatchdog::acked_seq (const GstStructure *remote_inbound,
    guint &seq)
{
  const GValue *src = gst_structure_get_value (remote_inbound,
      "gst-rtpsource-stats");
  if (!src || !GST_VALUE_HOLDS_STRUCTURE (src))
    return false;
  const GstStructure *rs = gst_value_get_structure (src);
  gboolean have_rb = FALSE;
  return gst_structure_get_boolean (rs, "have-rb", &have_rb) && have_rb
      && gst_structure_get_uint (rs, "rb-exthighestseq", &seq);
}

}  // namespace resilient::gst
