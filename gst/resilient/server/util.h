/* gst-resilient server side: small helpers the server elements share. */
#pragma once

#include "resilient/core/time.h"

#include <gst/gst.h>

namespace resilient::gst::server {

/* Destroy-notifies for heap data given to GLib callbacks. */
template <typename T>
void
delete_data (gpointer p)
{
  delete static_cast<T *> (p);
}
template <typename T>
void
delete_closure_data (gpointer p, GClosure *)
{
  delete static_cast<T *> (p);
}

/* Now on the system clock (the decision classes' timeline). */
resilient::TimePoint system_now ();

/* webrtcbin's RTP session 0 (a reference), nullptr before it exists. */
GObject *rtp_session_of (GstElement *webrtc);

} // namespace resilient::gst::server
