/* gst-resilient: counting the RTCP packets a peer sends us. */
#include "common/rtcpcount.h"

#include "common/jitterstart.h"

namespace resilient::gst {

static void
on_receiving_rtcp (GObject *, GstBuffer *, gpointer user_data)
{
  (*static_cast<RtcpCounter *> (user_data))->fetch_add (1);
}

static void
free_counter (gpointer p, GClosure *)
{
  delete static_cast<RtcpCounter *> (p);
}

gulong
count_received_rtcp (GObject *session, RtcpCounter counter)
{
  if (!g_signal_lookup ("on-receiving-rtcp", G_OBJECT_TYPE (session)))
    return 0;
  return g_signal_connect_data (
      session, "on-receiving-rtcp", G_CALLBACK (on_receiving_rtcp),
      new RtcpCounter (std::move (counter)), free_counter, (GConnectFlags)0);
}

/* rtpbin's new-jitterbuffer (a streaming thread, before the first
 * packet of a new remote SSRC is stored). */
static void
on_new_jitterbuffer (GstElement *rtpbin, GstElement *, guint session_id, guint,
                     gpointer)
{
  GObject *session = nullptr;
  g_signal_emit_by_name (rtpbin, "get-internal-session", session_id, &session);
  if (!session)
    return;
  g_object_set (session, "rtcp-min-interval",
                (guint64)RECEIVER_REPORT_MS * GST_MSECOND, "rtcp-rr-bandwidth",
                1000000, "rtcp-rs-bandwidth", 1000000, NULL);
  g_object_unref (session);
}

void
report_every_second (GstElement *webrtcbin)
{
  connect_new_jitterbuffer (webrtcbin, G_CALLBACK (on_new_jitterbuffer));
}

} // namespace resilient::gst
