/* gst-resilient: counting the RTCP packets a peer sends us. */
#include "common/rtcpcount.h"

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

} // namespace resilient::gst
