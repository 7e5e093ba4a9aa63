/* gst-resilient: how every webrtcbin of ours sets up its ICE agent. */
#pragma once

#include <gst/gst.h>

namespace resilient::gst {

/* On webrtcbin's ICE agent (libnice): no UPnP port mapping (libnice's
 * default holds ICE gathering for its 200 ms upnp-timeout on every session
 * and logs a gupnp warning; browsers do not use UPnP either), no ICE-TCP
 * candidates (WHIP/WHEP media runs over UDP or TURN), and with `loopback`
 * the 127.0.0.1 address, which libnice leaves out by default (an endpoint
 * on the same host). */
void configure_ice_agent (GstElement *webrtcbin, bool loopback);

} // namespace resilient::gst
