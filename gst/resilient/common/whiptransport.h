/* gst-resilient: the WHIP back-end of autorestoresink.
 *
 * One reswhipsink per publish session, fed already-encoded H264
 * (Constrained Baseline, packetization-mode=1), VP8 and Opus from the
 * session's appsrcs. reswhipsink never retries: it reports one failure,
 * fatal or transient, in the details of its ERROR; this back-end turns that
 * into a TransportFailure (401/403 and other fatal answers: refused; a
 * server that refuses the video codec: codec_rejected, so autorestoresink
 * swaps H264 -> VP8 and publishes again; 5xx / 503: transient with the
 * server's Retry-After). Health comes from webrtcbin's statistics:
 * bytes_out = RTP bytes sent, pings = RTCP receiver reports in which the
 * server acknowledges new packets, up = DTLS connected and RTP sent.
 *
 * Destinations: whip://host[:port]/path (http), whips:// (https) and plain
 * http(s):// URLs. A bearer token may be given as the userinfo
 * (whip://TOKEN@host/path); without one reswhipsink takes
 * RESILIENT_WHIP_TOKEN from the environment.
 */
#pragma once

#include "common/publishtransport.h"

#include <memory>
#include <string>

namespace resilient::gst {

std::unique_ptr<PublishTransport> make_whip_transport (const std::string &uri);

/* The video codec named by a WHIP refusal ("h264", "vp8") when `text`
 * (the reason, the problem title and detail) says a codec is not
 * supported; empty otherwise. Exposed for the unit test. */
std::string whip_refused_codec (const std::string &text);

} // namespace resilient::gst
