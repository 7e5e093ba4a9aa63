#include "server/util.h"

namespace resilient::gst::server {

resilient::TimePoint
system_now ()
{
  GstClock *clock = gst_system_clock_obtain ();
  resilient::TimePoint t = resilient::from_ns (gst_clock_get_time (clock));
  gst_object_unref (clock);
  return t;
}

GObject *
rtp_session_of (GstElement *webrtc)
{
  GstElement *rtpbin = gst_bin_get_by_name (GST_BIN (webrtc), "rtpbin");
  if (!rtpbin)
    return nullptr;
  GObject *session = nullptr;
  g_signal_emit_by_name (rtpbin, "get-internal-session", 0u, &session);
  gst_object_unref (rtpbin);
  return session;
}

} // namespace resilient::gst::server
