/* gst-resilient: the local description of a webrtcbin as SDP text. */
#pragma once

#include <gst/gst.h>

#include <string>

namespace resilient::gst {

/* webrtcbin's "local-description" as SDP text, "" when there is none yet. */
std::string local_sdp (GstElement *webrtcbin);

} // namespace resilient::gst
