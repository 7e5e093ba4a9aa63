/* gst-resilient: jitter buffers of a receiving webrtcbin that start on the
 * first packets instead of after `latency`. */
#pragma once

#include <gst/gst.h>

namespace resilient::gst {

/* Consecutive packets after which a new jitter buffer starts pushing
 * (rtpjitterbuffer `faststart-min-packets`). Without it, rtpjitterbuffer
 * holds a stream's first packet for the whole `latency` (200 ms by
 * default) in case an earlier one is still on the way; every first frame
 * (a viewer joining, a publisher taking over) waits that long. Five in a
 * row is a keyframe's first packets or 80 ms of Opus: a first packet
 * reordered behind five others is lost, which a keyframe request mends;
 * the latency stays the reordering and retransmission room after that. */
constexpr guint JITTER_FASTSTART_PACKETS = 5;

/* Every jitter buffer `webrtcbin` makes from now on starts after
 * JITTER_FASTSTART_PACKETS consecutive packets (its internal rtpbin's
 * `new-jitterbuffer`). Call before the session starts; does nothing on a
 * webrtcbin without an rtpbin or jitter buffers without the property. */
void start_jitterbuffers_early (GstElement *webrtcbin);

/* Connects `handler` (rtpbin's `new-jitterbuffer` signature: rtpbin,
 * jitterbuffer, session id, ssrc, user data) to webrtcbin's internal
 * rtpbin, which sees every stream webrtcbin receives before its first
 * packet is stored; false on a webrtcbin without one. */
bool connect_new_jitterbuffer (GstElement *webrtcbin, GCallback handler);

} // namespace resilient::gst
