#include "server/whipsrcsettings.h"

#include "common/messages.h"

namespace resilient::gst::server::whipsrc {

using resilient::gst::register_enum_once;

GType
takeover_get_type (void)
{
  GType type = 0;
  static const GEnumValue values[] = {
    { GST_RES_WHIP_SERVER_TAKEOVER_REPLACE,
      "A new publisher replaces the current one once its media flows",
      "replace" },
    { GST_RES_WHIP_SERVER_TAKEOVER_REFUSE,
      "A new publisher gets 409 while one is connected", "refuse" },
    { 0, nullptr, nullptr },
  };
  return register_enum_once (&type, "GstResWhipServerTakeover", values);
}

static void
set_string (std::string &out, const GValue *value)
{
  const char *v = g_value_get_string (value);
  out = v ? v : "";
}

bool
set_property (Settings &s, guint prop_id, const GValue *value)
{
  if (set_endpoint_property (s.ep, prop_id, PROP_ADDRESS, value))
    return true;
  switch (prop_id) {
  case PROP_STREAM_KEY:
    set_string (s.stream_key, value);
    break;
  case PROP_TAKEOVER:
    s.takeover = (GstResWhipServerTakeover)g_value_get_enum (value);
    break;
  case PROP_CONNECT_TIMEOUT:
    s.connect_timeout_ms = g_value_get_uint (value);
    break;
  case PROP_SILENCE_TIMEOUT:
    s.silence_timeout_ms = g_value_get_uint (value);
    break;
  case PROP_HOLD:
    s.hold_ms = g_value_get_uint (value);
    break;
  case PROP_WIDTH:
    s.width = g_value_get_int (value);
    break;
  case PROP_HEIGHT:
    s.height = g_value_get_int (value);
    break;
  case PROP_FRAMERATE:
    s.framerate = g_value_get_int (value);
    break;
  case PROP_RECORDING_LOCATION: {
    const char *v = g_value_get_string (value);
    s.recording.location = v ? v : "";
    break;
  }
  case PROP_RECORDING_MAX_SIZE_BYTES:
    s.recording.max_size_bytes = g_value_get_uint64 (value);
    break;
  case PROP_RECORDING_MAX_DURATION:
    s.recording.max_duration_ms = g_value_get_uint64 (value);
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
  case PROP_TAKEOVER:
    g_value_set_enum (value, s.takeover);
    break;
  case PROP_CONNECT_TIMEOUT:
    g_value_set_uint (value, s.connect_timeout_ms);
    break;
  case PROP_SILENCE_TIMEOUT:
    g_value_set_uint (value, s.silence_timeout_ms);
    break;
  case PROP_HOLD:
    g_value_set_uint (value, s.hold_ms);
    break;
  case PROP_WIDTH:
    g_value_set_int (value, s.width);
    break;
  case PROP_HEIGHT:
    g_value_set_int (value, s.height);
    break;
  case PROP_FRAMERATE:
    g_value_set_int (value, s.framerate);
    break;
  case PROP_RECORDING_LOCATION:
    g_value_set_string (value, s.recording.location.empty ()
                                   ? nullptr
                                   : s.recording.location.c_str ());
    break;
  case PROP_RECORDING_MAX_SIZE_BYTES:
    g_value_set_uint64 (value, s.recording.max_size_bytes);
    break;
  case PROP_RECORDING_MAX_DURATION:
    g_value_set_uint64 (value, s.recording.max_duration_ms);
    break;
  default:
    return false;
  }
  return true;
}

static void
install_server_properties (GObjectClass *gobject_class)
{
  auto rw_ready = (GParamFlags)(G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS
                                | GST_PARAM_MUTABLE_READY);
  auto ro = (GParamFlags)(G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  install_endpoint_properties (gobject_class, PROP_ADDRESS, "WHIP",
                               "publishers", DEFAULT_PORT, DEFAULT_PATH);
  g_object_class_install_property (
      gobject_class, PROP_STREAM_KEY,
      g_param_spec_string (
          "stream-key", "Stream key",
          "Key every publisher request must carry as 'Authorization: Bearer "
          "<key>' (write-only, never logged); unset takes "
          "RESILIENT_STREAM_KEY from the environment, and without either "
          "the element does not start.",
          nullptr,
          (GParamFlags)(G_PARAM_WRITABLE | G_PARAM_STATIC_STRINGS
                        | GST_PARAM_MUTABLE_READY)));
  g_object_class_install_property (
      gobject_class, PROP_TAKEOVER,
      g_param_spec_enum (
          "takeover", "Takeover",
          "What a second publisher gets while one is connected: replace "
          "takes over once its media flows (make before break), refuse "
          "answers 409.",
          takeover_get_type (), DEFAULT_TAKEOVER, rw_ready));
  g_object_class_install_property (
      gobject_class, PROP_STATISTICS,
      g_param_spec_boxed ("statistics", "Statistics",
                          "Publishers, refusals and what the output carries "
                          "(see the element documentation).",
                          GST_TYPE_STRUCTURE, ro));
}

static void
install_timing_properties (GObjectClass *gobject_class)
{
  auto rw_ready = (GParamFlags)(G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS
                                | GST_PARAM_MUTABLE_READY);
  g_object_class_install_property (
      gobject_class, PROP_CONNECT_TIMEOUT,
      g_param_spec_uint (
          "connect-timeout", "Connect timeout",
          "Time in milliseconds a publisher has from its offer to its first "
          "media before its session is dropped; 0 waits for ever.",
          0, G_MAXUINT, DEFAULT_CONNECT_TIMEOUT_MS, rw_ready));
  g_object_class_install_property (
      gobject_class, PROP_SILENCE_TIMEOUT,
      g_param_spec_uint (
          "silence-timeout", "Silence timeout",
          "Time in milliseconds without RTP after which the publisher is "
          "lost (its session ends, a publisher-lost message is posted); 0 "
          "never.",
          0, G_MAXUINT, DEFAULT_SILENCE_TIMEOUT_MS, rw_ready));
  g_object_class_install_property (
      gobject_class, PROP_HOLD,
      g_param_spec_uint (
          "hold", "Hold",
          "Time in milliseconds the last frame is repeated after the "
          "publisher's video stops, before black frames.",
          0, G_MAXUINT, DEFAULT_HOLD_MS, rw_ready));
  g_object_class_install_property (
      gobject_class, PROP_WIDTH,
      g_param_spec_int ("width", "Width",
                        "Width of the video output; publishers are scaled "
                        "to it (aspect kept, with borders).",
                        16, 7680, DEFAULT_WIDTH, rw_ready));
  g_object_class_install_property (
      gobject_class, PROP_HEIGHT,
      g_param_spec_int ("height", "Height", "Height of the video output.", 16,
                        4320, DEFAULT_HEIGHT, rw_ready));
  g_object_class_install_property (
      gobject_class, PROP_FRAMERATE,
      g_param_spec_int ("framerate", "Frame rate",
                        "Frames per second of the filler and the rate the "
                        "output caps state.",
                        1, 120, DEFAULT_FRAMERATE, rw_ready));
}

static void
install_recording_properties (GObjectClass *gobject_class)
{
  auto rw_ready = (GParamFlags)(G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS
                                | GST_PARAM_MUTABLE_READY);
  g_object_class_install_property (
      gobject_class, PROP_RECORDING_LOCATION,
      g_param_spec_string (
          "recording-location", "Recording location",
          "Records the output (H264 + Opus in Matroska) into clips named by "
          "this pattern with one integer (clip-%05d.mkv); the clip is "
          "closed when the publisher is lost. Unset: no recording.",
          nullptr, rw_ready));
  g_object_class_install_property (
      gobject_class, PROP_RECORDING_MAX_SIZE_BYTES,
      g_param_spec_uint64 ("recording-max-size-bytes", "Recording clip size",
                           "A new clip after this many bytes; 0: no limit.", 0,
                           G_MAXUINT64, 0, rw_ready));
  g_object_class_install_property (
      gobject_class, PROP_RECORDING_MAX_DURATION,
      g_param_spec_uint64 ("recording-max-duration", "Recording clip duration",
                           "A new clip after this many milliseconds; 0: no "
                           "limit.",
                           0, G_MAXUINT64, 0, rw_ready));
}

void
install_properties (GObjectClass *gobject_class)
{
  install_server_properties (gobject_class);
  install_timing_properties (gobject_class);
  install_recording_properties (gobject_class);
}

} // namespace resilient::gst::server::whipsrc
