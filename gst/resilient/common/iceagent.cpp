#include "common/iceagent.h"

namespace resilient::gst {

static bool
has_property (GObject *o, const char *name)
{
  return g_object_class_find_property (G_OBJECT_GET_CLASS (o), name);
}

void
configure_ice_agent (GstElement *webrtcbin, bool loopback)
{
  GObject *ice = nullptr;
  g_object_get (webrtcbin, "ice-agent", &ice, NULL);
  if (!ice)
    return;
  if (loopback) {
    gboolean ret = FALSE;
    g_signal_emit_by_name (ice, "add-local-ip-address", "127.0.0.1", &ret);
  }
  if (has_property (ice, "ice-tcp"))
    g_object_set (ice, "ice-tcp", FALSE, NULL);
  /* GstWebRTCNice exposes its NiceAgent read-only as "agent" */
  GObject *agent = nullptr;
  if (has_property (ice, "agent"))
    g_object_get (ice, "agent", &agent, NULL);
  if (agent) {
    if (has_property (agent, "upnp"))
      g_object_set (agent, "upnp", FALSE, NULL);
    g_object_unref (agent);
  }
  g_object_unref (ice);
}

} // namespace resilient::gst
