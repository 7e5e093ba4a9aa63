/* gst-resilient: reading a GstPromise's reply. */
#pragma once

#include <gst/gst.h>

#include <string>

namespace resilient::gst {

/* The message of the GError a replied promise carries in its "error" field
 * (webrtcbin's way of refusing a description), or "" when there is none. */
std::string promise_error (GstPromise *p);

} // namespace resilient::gst
