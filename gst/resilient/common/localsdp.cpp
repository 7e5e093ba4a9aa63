/* gst-resilient: the local description of a webrtcbin (see localsdp.h). */
#include "common/localsdp.h"

#include <gst/sdp/sdp.h>
#include <gst/webrtc/webrtc.h>

namespace resilient::gst {

std::string
local_sdp (GstElement *webrtcbin)
{
  GstWebRTCSessionDescription *desc = nullptr;
  g_object_get (webrtcbin, "local-description", &desc, NULL);
  if (!desc)
    return {};
  gchar *t = gst_sdp_message_as_text (desc->sdp);
  std::string out (t);
  g_free (t);
  gst_webrtc_session_description_free (desc);
  return out;
}

} // namespace resilient::gst
