/* gst-resilient: reswhepserversink's settings. */
#include "server/whepsinksettings.h"

#include "common/messages.h"

namespace resilient::gst::server::whepsink {

using resilient::gst::register_enum_once;

GType
video_codec_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    { GST_RES_WHEP_SERVER_VIDEO_CODEC_H264,
      "H264 Constrained Baseline (x264enc)", "h264" },
    { GST_RES_WHEP_SERVER_VIDEO_CODEC_VP8, "VP8 (vp8enc)", "vp8" },
    { 0, nullptr, nullptr },
  };
  return register_enum_once (&type, "GstResWhepServerVideoCodec", values);
}

bool
set_property (Settings &s, guint prop_id, const GValue *value)
{
  if (set_endpoint_property (s.ep, prop_id, PROP_ADDRESS, value))
    return true;
  switch (prop_id) {
  case PROP_TOKEN: {
    const char *v = g_value_get_string (value);
    s.token = v ? v : "";
    break;
  }
  case PROP_MAX_VIEWERS:
    s.max_viewers = g_value_get_uint (value);
    break;
  case PROP_RETRY_AFTER:
    s.retry_after_ms = g_value_get_uint (value);
    break;
  case PROP_VIDEO_CODEC:
    s.video_codec = (GstResWhepServerVideoCodec)g_value_get_enum (value);
    break;
  case PROP_VIDEO_BITRATE:
    s.video_bitrate = g_value_get_uint (value);
    break;
  case PROP_KEYFRAME_MIN_INTERVAL:
    s.keyframe_min_interval_ms = g_value_get_uint (value);
    break;
  case PROP_CONNECT_TIMEOUT:
    s.connect_timeout_ms = g_value_get_uint (value);
    break;
  case PROP_RTCP_TIMEOUT:
    s.rtcp_timeout_ms = g_value_get_uint (value);
    break;
  case PROP_DIRECT_SEND:
    s.direct_send = g_value_get_boolean (value);
    break;
  default:
    return false;
  }
  return true;
}

bool
get_property (const Settings &s, guint prop_id, int bound_port, GValue *value)
{
  if (get_endpoint_property (s.ep, prop_id, PROP_ADDRESS, bound_port, value))
    return true;
  switch (prop_id) {
  case PROP_MAX_VIEWERS:
    g_value_set_uint (value, s.max_viewers);
    break;
  case PROP_RETRY_AFTER:
    g_value_set_uint (value, s.retry_after_ms);
    break;
  case PROP_VIDEO_CODEC:
    g_value_set_enum (value, s.video_codec);
    break;
  case PROP_VIDEO_BITRATE:
    g_value_set_uint (value, s.video_bitrate);
    break;
  case PROP_KEYFRAME_MIN_INTERVAL:
    g_value_set_uint (value, s.keyframe_min_interval_ms);
    break;
  case PROP_CONNECT_TIMEOUT:
    g_value_set_uint (value, s.connect_timeout_ms);
    break;
  case PROP_RTCP_TIMEOUT:
    g_value_set_uint (value, s.rtcp_timeout_ms);
    break;
  case PROP_DIRECT_SEND:
    g_value_set_boolean (value, s.direct_send);
    break;
  default:
    return false;
  }
  return true;
}

static void
install_limits (GObjectClass *gobject_class, GParamFlags rw_ready)
{
  g_object_class_install_property (
      gobject_class, PROP_TOKEN,
      g_param_spec_string (
          "token", "Token",
          "Bearer token every viewer request must carry as 'Authorization: "
          "Bearer <token>' (write-only, never logged); unset lets anyone "
          "view.",
          nullptr,
          (GParamFlags)(G_PARAM_WRITABLE | G_PARAM_STATIC_STRINGS
                        | GST_PARAM_MUTABLE_READY)));
  g_object_class_install_property (
      gobject_class, PROP_MAX_VIEWERS,
      g_param_spec_uint (
          "max-viewers", "Maximum viewers",
          "Most viewers served at once; a further offer gets 503 with "
          "Retry-After. 0 means no limit.",
          0, G_MAXUINT, DEFAULT_MAX_VIEWERS, rw_ready));
  g_object_class_install_property (
      gobject_class, PROP_RETRY_AFTER,
      g_param_spec_uint (
          "retry-after", "Retry after",
          "Time a refused viewer is told to wait (Retry-After, rounded up "
          "to seconds), in milliseconds.",
          0, 3600000, DEFAULT_RETRY_AFTER_MS, rw_ready));
}

static void
install_media (GObjectClass *gobject_class, GParamFlags rw_ready)
{
  g_object_class_install_property (
      gobject_class, PROP_VIDEO_CODEC,
      g_param_spec_enum (
          "video-codec", "Video codec",
          "Codec the one video encoder produces for every viewer.",
          video_codec_get_type (), DEFAULT_VIDEO_CODEC, rw_ready));
  g_object_class_install_property (
      gobject_class, PROP_VIDEO_BITRATE,
      g_param_spec_uint ("video-bitrate", "Video bitrate",
                         "Target bitrate of the video encoder, in kbit/s.", 50,
                         100000, DEFAULT_VIDEO_BITRATE, rw_ready));
  g_object_class_install_property (
      gobject_class, PROP_KEYFRAME_MIN_INTERVAL,
      g_param_spec_uint (
          "keyframe-min-interval", "Keyframe minimum interval",
          "Shortest time between two keyframes asked of the encoder for "
          "joining viewers or their picture-loss reports, in milliseconds; "
          "requests in between are merged into one. 0 asks every time.",
          0, 60000, DEFAULT_KEYFRAME_MIN_INTERVAL_MS, rw_ready));
}

static void
install_liveness (GObjectClass *gobject_class, GParamFlags rw_ready)
{
  g_object_class_install_property (
      gobject_class, PROP_CONNECT_TIMEOUT,
      g_param_spec_uint (
          "connect-timeout", "Connect timeout",
          "Time a viewer has from its offer to a connected peer connection "
          "before it is dropped, in milliseconds. 0 waits forever.",
          0, 600000, DEFAULT_CONNECT_TIMEOUT_MS, rw_ready));
  g_object_class_install_property (
      gobject_class, PROP_RTCP_TIMEOUT,
      g_param_spec_uint (
          "rtcp-timeout", "RTCP timeout",
          "Shortest RTCP silence after which a connected viewer is dropped, "
          "in milliseconds; a viewer that reports slowly gets 3 times its "
          "longest report gap. 0 never drops a silent viewer.",
          0, 600000, DEFAULT_RTCP_TIMEOUT_MS, rw_ready));
}

void
install_properties (GObjectClass *gobject_class)
{
  auto rw_ready = (GParamFlags)(G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS
                                | GST_PARAM_MUTABLE_READY);
  install_endpoint_properties (gobject_class, PROP_ADDRESS, "WHEP", "viewers",
                               DEFAULT_PORT, DEFAULT_PATH);
  install_limits (gobject_class, rw_ready);
  install_media (gobject_class, rw_ready);
  install_liveness (gobject_class, rw_ready);
  g_object_class_install_property (
      gobject_class, PROP_DIRECT_SEND,
      g_param_spec_boolean (
          "direct-send", "Direct send",
          "Whether a connected viewer's packets are encrypted (SRTP) and sent "
          "to its ICE socket straight from the one encode's streaming thread, "
          "instead of through its own webrtcbin's RTP path; off sends every "
          "packet through webrtcbin (about twice the CPU per viewer).",
          DEFAULT_DIRECT_SEND, rw_ready));
  g_object_class_install_property (
      gobject_class, PROP_STATISTICS,
      g_param_spec_boxed (
          "statistics", "Statistics",
          "Viewer count, totals and the list of viewers (see the element "
          "documentation).",
          GST_TYPE_STRUCTURE,
          (GParamFlags)(G_PARAM_READABLE | G_PARAM_STATIC_STRINGS)));
}

} // namespace resilient::gst::server::whepsink
