#include "common/jitterstart.h"

namespace resilient::gst {

/* rtpbin's new-jitterbuffer (a streaming thread, before the jitter buffer
 * gets its first packet). */
static void
on_new_jitterbuffer (GstElement *, GstElement *jitterbuffer, guint, guint,
                     gpointer)
{
  if (g_object_class_find_property (G_OBJECT_GET_CLASS (jitterbuffer),
                                    "faststart-min-packets"))
    g_object_set (jitterbuffer, "faststart-min-packets",
                  JITTER_FASTSTART_PACKETS, NULL);
}

bool
connect_new_jitterbuffer (GstElement *webrtcbin, GCallback handler)
{
  /* webrtcbin 1.22 names its internal rtpbin "rtpbin" */
  GstElement *rtpbin = gst_bin_get_by_name (GST_BIN (webrtcbin), "rtpbin");
  if (!rtpbin)
    return false;
  g_signal_connect (rtpbin, "new-jitterbuffer", handler, nullptr);
  gst_object_unref (rtpbin);
  return true;
}

void
start_jitterbuffers_early (GstElement *webrtcbin)
{
  connect_new_jitterbuffer (webrtcbin, G_CALLBACK (on_new_jitterbuffer));
}

} // namespace resilient::gst
