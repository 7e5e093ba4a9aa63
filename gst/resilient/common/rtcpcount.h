/* gst-resilient: counting the RTCP packets a peer sends us, for liveness
 * checks (reswhipsink's watchdog, reswhepserversink's viewers). */
#pragma once

#include <gst/gst.h>

#include <atomic>
#include <cstdint>
#include <memory>

namespace resilient::gst {

using RtcpCounter = std::shared_ptr<std::atomic<std::uint64_t>>;

/* Every RTCP packet `session` (an RTPSession, e.g. webrtcbin's rtpbin's
 * internal session) receives adds one to `counter` (any: receiver reports,
 * transport-cc feedback, NACK, PLI), on the session's RTCP thread. The
 * handler id to disconnect, 0 when the session has no such signal. */
gulong count_received_rtcp (GObject *session, RtcpCounter counter);

} // namespace resilient::gst
