/* gst-resilient: failoversrc's property table (see properties.h). */
#include "failover/properties.h"

#include "common/messages.h"

using namespace resilient;
using namespace resilient::failover;
using namespace resilient::gst::failoversrc;
using resilient::gst::register_enum_once;

/* ---- enums -------------------------------------------------------------- */

GType
gst_failover_src_standby_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    { GST_FAILOVER_SRC_STANDBY_COLD,
      "The next candidate starts only when needed", "cold" },
    { GST_FAILOVER_SRC_STANDBY_HOT,
      "The next candidate is kept connected and decoded", "hot" },
    { GST_FAILOVER_SRC_STANDBY_WARM,
      "The next candidate is kept connected and parsed with its current GOP, "
      "decoded only when switched to",
      "warm" },
    { 0, nullptr, nullptr },
  };
  return register_enum_once (&type, "GstFailoverSrcStandby", values);
}

GType
gst_failover_src_mode_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    { GST_FAILOVER_SRC_MODE_DECODED,
      "Decoded raw video and audio (converted to one format, with filler)",
      "decoded" },
    { GST_FAILOVER_SRC_MODE_ENCODED,
      "The candidates' parsed encoded streams, cut at keyframes, not decoded",
      "encoded" },
    { 0, nullptr, nullptr },
  };
  return register_enum_once (&type, "GstFailoverSrcMode", values);
}

GType
gst_failover_src_all_failed_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    { GST_FAILOVER_SRC_ALL_FAILED_ERROR,
      "Post an ERROR naming each candidate's last failure (the pipeline "
      "stops, gst-launch exits non-zero)",
      "error" },
    { GST_FAILOVER_SRC_ALL_FAILED_EOS,
      "Post a WARNING and end the stream with EOS", "eos" },
    { 0, nullptr, nullptr },
  };
  return register_enum_once (&type, "GstFailoverSrcAllFailed", values);
}

GType
gst_failover_src_status_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    { GST_FAILOVER_SRC_STATUS_STOPPED, "Not running", "stopped" },
    { GST_FAILOVER_SRC_STATUS_STARTING, "No candidate on the output yet",
      "starting" },
    { GST_FAILOVER_SRC_STATUS_LIVE, "The first candidate is on the output",
      "live" },
    { GST_FAILOVER_SRC_STATUS_BACKUP, "Another candidate is on the output",
      "backup" },
    { GST_FAILOVER_SRC_STATUS_FILLER, "Nothing healthy: filler on the output",
      "filler" },
    { 0, nullptr, nullptr },
  };
  return register_enum_once (&type, "GstFailoverSrcStatus", values);
}

namespace resilient::gst::failoversrc {

/* The unsigned settings: property, field, and whether a change in PLAYING
 * is applied at once (thresholds) or at the next start. */
struct UintProp
{
  guint prop;
  guint Settings::*field;
  bool runtime;
};
static const UintProp uint_props[] = {
  { PROP_TIMEOUT, &Settings::timeout, true },
  { PROP_STALL_TOLERANCE, &Settings::stall_tolerance, true },
  { PROP_ADAPTIVE_TIMEOUT, &Settings::adaptive_timeout, true },
  { PROP_STARTUP_TIMEOUT, &Settings::startup_timeout, true },
  { PROP_CONNECT_TIMEOUT, &Settings::connect_timeout, true },
  { PROP_MIN_BITRATE, &Settings::min_bitrate, true },
  { PROP_BLACK_TIMEOUT, &Settings::black_timeout, true },
  { PROP_FROZEN_TIMEOUT, &Settings::frozen_timeout, true },
  { PROP_SILENCE_TIMEOUT, &Settings::silence_timeout, true },
  { PROP_BITRATE_WINDOW, &Settings::bitrate_window, true },
  { PROP_LOW_BITRATE_WINDOWS, &Settings::low_bitrate_windows, true },
  { PROP_RETRY_DELAY, &Settings::retry_delay, true },
  { PROP_RETRY_MAX_DELAY, &Settings::retry_max_delay, true },
  { PROP_FAILBACK_HOLDOFF, &Settings::failback_holdoff, true },
  { PROP_HOLD_LAST_FRAME, &Settings::hold_last_frame, true },
  { PROP_LATENCY, &Settings::latency, false },
};

static const UintProp *
find_uint_prop (guint prop_id)
{
  for (auto &p : uint_props)
    if (p.prop == prop_id)
      return &p;
  return nullptr;
}

bool
applies_at_once (guint prop_id)
{
  const UintProp *p = find_uint_prop (prop_id);
  return (p && p->runtime) || prop_id == PROP_RETRY_MAX_ATTEMPTS
         || prop_id == PROP_AUTO_FAILBACK;
}

/* settings_lock held. False for a property not handled here. */
bool
set_setting_locked (Settings &s, guint prop_id, const GValue *value)
{
  if (const UintProp *p = find_uint_prop (prop_id)) {
    s.*(p->field) = g_value_get_uint (value);
    return true;
  }
  switch (prop_id) {
  case PROP_URIS: {
    const gchar *str = g_value_get_string (value);
    s.uris = split_uri_list (str ? str : "");
    return true;
  }
  case PROP_URI_LIST: {
    s.uris.clear ();
    auto **strv = static_cast<gchar **> (g_value_get_boxed (value));
    for (int i = 0; strv && strv[i]; i++) {
      auto parts = split_uri_list (strv[i]);
      s.uris.insert (s.uris.end (), parts.begin (), parts.end ());
    }
    return true;
  }
  case PROP_VIDEO_CAPS:
  case PROP_AUDIO_CAPS: {
    int st = prop_id == PROP_VIDEO_CAPS ? VIDEO : AUDIO;
    const GstCaps *c = gst_value_get_caps (value);
    gst_caps_replace (&s.caps[st],
                      c && !gst_caps_is_any (c) && !gst_caps_is_empty (c)
                          ? (GstCaps *)c
                          : nullptr);
    return true;
  }
  case PROP_STANDBY:
    s.standby = (GstFailoverSrcStandby)g_value_get_enum (value);
    return true;
  case PROP_MODE:
    s.mode = (GstFailoverSrcMode)g_value_get_enum (value);
    return true;
  case PROP_RETRY_MAX_ATTEMPTS:
    s.retry_max_attempts = g_value_get_int (value);
    return true;
  case PROP_AUTO_FAILBACK:
    s.auto_failback = g_value_get_boolean (value);
    return true;
  case PROP_FALLBACK_IMAGE: {
    const gchar *str = g_value_get_string (value);
    s.fallback_image = str ? str : "";
    return true;
  }
  case PROP_ALL_FAILED:
    s.all_failed = (GstFailoverSrcAllFailed)g_value_get_enum (value);
    return true;
  case PROP_ENABLE_VIDEO:
  case PROP_ENABLE_AUDIO:
    s.enable[prop_id == PROP_ENABLE_VIDEO ? VIDEO : AUDIO]
        = g_value_get_boolean (value);
    return true;
  default:
    return false;
  }
}

/* settings_lock held. False for a property not handled here. */
bool
get_setting_locked (const Settings &s, guint prop_id, GValue *value)
{
  if (const UintProp *p = find_uint_prop (prop_id)) {
    g_value_set_uint (value, s.*(p->field));
    return true;
  }
  switch (prop_id) {
  case PROP_URIS:
    g_value_set_string (value, join_uri_list (s.uris).c_str ());
    return true;
  case PROP_URI_LIST: {
    gchar **strv = g_new0 (gchar *, s.uris.size () + 1);
    for (std::size_t i = 0; i < s.uris.size (); i++)
      strv[i] = g_strdup (s.uris[i].c_str ());
    g_value_take_boxed (value, strv);
    return true;
  }
  case PROP_VIDEO_CAPS:
  case PROP_AUDIO_CAPS:
    gst_value_set_caps (value,
                        s.caps[prop_id == PROP_VIDEO_CAPS ? VIDEO : AUDIO]);
    return true;
  case PROP_MODE:
    g_value_set_enum (value, s.mode);
    return true;
  case PROP_STANDBY:
    g_value_set_enum (value, s.standby);
    return true;
  case PROP_RETRY_MAX_ATTEMPTS:
    g_value_set_int (value, s.retry_max_attempts);
    return true;
  case PROP_AUTO_FAILBACK:
    g_value_set_boolean (value, s.auto_failback);
    return true;
  case PROP_FALLBACK_IMAGE:
    g_value_set_string (
        value, s.fallback_image.empty () ? nullptr : s.fallback_image.c_str ());
    return true;
  case PROP_ALL_FAILED:
    g_value_set_enum (value, s.all_failed);
    return true;
  case PROP_ENABLE_VIDEO:
  case PROP_ENABLE_AUDIO:
    g_value_set_boolean (
        value, s.enable[prop_id == PROP_ENABLE_VIDEO ? VIDEO : AUDIO]);
    return true;
  default:
    return false;
  }
}

static const GParamFlags rw_ready
    = (GParamFlags)(G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS
                    | GST_PARAM_MUTABLE_READY);
static const GParamFlags rw_playing
    = (GParamFlags)(G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS
                    | GST_PARAM_MUTABLE_PLAYING);
static const GParamFlags ro
    = (GParamFlags)(G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

/* A guint property from min to G_MAXUINT. */
static void
install_uint (GObjectClass *gobject_class, guint id, const char *name,
              const char *nick, const char *blurb, guint min, guint def,
              GParamFlags flags)
{
  g_object_class_install_property (
      gobject_class, id,
      g_param_spec_uint (name, nick, blurb, min, G_MAXUINT, def, flags));
}

/* The candidates and what happens when all fail. */
static void
install_candidate_props (GObjectClass *gobject_class)
{
  g_object_class_install_property (
      gobject_class, PROP_URIS,
      g_param_spec_string (
          "uris", "URIs",
          "Candidate URIs in priority order, separated by '|', whitespace or "
          "newlines (any protocol with a GStreamer source: rtmp, srt, rtsp, "
          "http/HLS, file; whep:// and wheps:// through reswhepsrc; "
          "cluster://<cluster-id>/<path> through a clusterresolver).",
          nullptr, rw_ready));
  g_object_class_install_property (
      gobject_class, PROP_URI_LIST,
      g_param_spec_boxed (
          "uri-list", "URI list",
          "Candidate URIs in priority order as a string array; setting it "
          "also updates 'uris'.",
          G_TYPE_STRV, rw_ready));
  g_object_class_install_property (
      gobject_class, PROP_STANDBY,
      g_param_spec_enum (
          "standby", "Standby",
          "Cold starts the next candidate only when needed; hot keeps the "
          "next candidate connected and decoded for a switch of about one "
          "frame; warm keeps it connected and parsed but not decoded, with "
          "its current GOP kept and decoded at the switch (a switch of a few "
          "frames at a fraction of hot's CPU).",
          gst_failover_src_standby_get_type (), DEFAULT_STANDBY, rw_ready));
  g_object_class_install_property (
      gobject_class, PROP_MODE,
      g_param_spec_enum (
          "mode", "Mode",
          "Decoded puts out raw video and audio in one format with filler "
          "between candidates; encoded puts out the candidates' parsed "
          "elementary streams (H.264, H.265, AAC, Opus, ...) undecoded, for "
          "a muxer, each switch cut at a keyframe of the new candidate, "
          "with a slate (black or fallback-image) and silence encoded once "
          "in the output's codec as filler (video-caps, audio-caps and "
          "hold-last-frame do not apply).",
          gst_failover_src_mode_get_type (), DEFAULT_MODE, rw_ready));
  g_object_class_install_property (
      gobject_class, PROP_ALL_FAILED,
      g_param_spec_enum (
          "all-failed", "All failed",
          "What happens when every candidate was given up (fatal errors or "
          "retry-max-attempts used up): error posts an ERROR naming each "
          "candidate's last failure, so gst-launch and scripts see a failure; "
          "eos posts a WARNING and ends the stream.",
          gst_failover_src_all_failed_get_type (), DEFAULT_ALL_FAILED,
          rw_ready));
}

/* The output: caps, latency, filler, enabled streams. */
static void
install_output_props (GObjectClass *gobject_class)
{
  g_object_class_install_property (
      gobject_class, PROP_VIDEO_CAPS,
      g_param_spec_boxed (
          "video-caps", "Video caps",
          "Raw video caps every candidate is converted to (size, framerate, "
          "format); unset means lock onto the first candidate's format.",
          GST_TYPE_CAPS, rw_ready));
  g_object_class_install_property (
      gobject_class, PROP_AUDIO_CAPS,
      g_param_spec_boxed (
          "audio-caps", "Audio caps",
          "Raw audio caps every candidate is converted to (rate, channels, "
          "format); unset means lock onto the first candidate's format.",
          GST_TYPE_CAPS, rw_ready));
  install_uint (
      gobject_class, PROP_LATENCY, "latency", "Latency",
      "Latency in milliseconds the element reports and uses to absorb "
      "network jitter and switch-time reordering.",
      0, DEFAULT_LATENCY_MS, rw_ready);
  install_uint (
      gobject_class, PROP_HOLD_LAST_FRAME, "hold-last-frame", "Hold last frame",
      "When nothing is healthy, how long in milliseconds the last frame "
      "is repeated before black or the fallback image; 0 shows black at "
      "once.",
      0, DEFAULT_HOLD_LAST_FRAME_MS, rw_playing);
  g_object_class_install_property (
      gobject_class, PROP_FALLBACK_IMAGE,
      g_param_spec_string (
          "fallback-image", "Fallback image",
          "Path of a PNG or JPEG image shown instead of black when nothing is "
          "healthy (with mode=encoded, encoded into the slate); unset shows "
          "black.",
          nullptr, rw_ready));
  g_object_class_install_property (
      gobject_class, PROP_ENABLE_VIDEO,
      g_param_spec_boolean (
          "enable-video", "Enable video",
          "Decode and output the candidates' video; FALSE leaves the video pad "
          "without data (an unlinked pad never fails the element either way).",
          DEFAULT_ENABLE_VIDEO, rw_ready));
  g_object_class_install_property (
      gobject_class, PROP_ENABLE_AUDIO,
      g_param_spec_boolean (
          "enable-audio", "Enable audio",
          "Decode and output the candidates' audio; FALSE leaves the audio pad "
          "without data (an unlinked pad never fails the element either way).",
          DEFAULT_ENABLE_AUDIO, rw_ready));
}

/* When a running candidate counts as failed. */
static void
install_health_props (GObjectClass *gobject_class)
{
  install_uint (
      gobject_class, PROP_TIMEOUT, "timeout", "Timeout",
      "Silence in milliseconds after which a running candidate counts as "
      "failed (errors, EOS and pad removal switch at once).",
      1, DEFAULT_TIMEOUT_MS, rw_playing);
  install_uint (
      gobject_class, PROP_STALL_TOLERANCE, "stall-tolerance", "Stall tolerance",
      "Silence in milliseconds a live candidate may show on top of its "
      "learned delivery rhythm before it counts as stalled, so that a "
      "network black hole is left well before 'timeout' (which stays the "
      "ceiling); 0 turns the adaptive detection off.",
      0, DEFAULT_STALL_TOLERANCE_MS, rw_playing);
  install_uint (
      gobject_class, PROP_ADAPTIVE_TIMEOUT, "adaptive-timeout",
      "Adaptive timeout",
      "Silence in milliseconds allowed to HLS/DASH/HTTP candidates, whose "
      "data arrives in segment bursts; the larger of this and 'timeout' "
      "applies to them.",
      1, DEFAULT_ADAPTIVE_TIMEOUT_MS, rw_playing);
  install_uint (gobject_class, PROP_STARTUP_TIMEOUT, "startup-timeout",
                "Startup timeout",
                "Time in milliseconds a starting candidate gets to deliver its "
                "first decoded frame before it counts as failed.",
                1, DEFAULT_STARTUP_TIMEOUT_MS, rw_playing);
  install_uint (
      gobject_class, PROP_CONNECT_TIMEOUT, "connect-timeout", "Connect timeout",
      "Time in milliseconds a starting candidate's source gets to put out "
      "its first byte (connection, handshake and protocol set-up) before "
      "the candidate fails as connect-failed; 0 leaves only "
      "'startup-timeout'. WHEP candidates bound their own stages.",
      0, DEFAULT_CONNECT_TIMEOUT_MS, rw_playing);
  install_uint (
      gobject_class, PROP_MIN_BITRATE, "min-bitrate", "Minimum bitrate",
      "Bitrate floor in kbit/s of the encoded data a candidate delivers; "
      "0 disables the bitrate check.",
      0, DEFAULT_MIN_BITRATE_KBPS, rw_playing);
  install_uint (gobject_class, PROP_BITRATE_WINDOW, "bitrate-window",
                "Bitrate window",
                "Length in milliseconds of one bitrate measurement window.", 1,
                DEFAULT_BITRATE_WINDOW_MS, rw_playing);
  install_uint (
      gobject_class, PROP_LOW_BITRATE_WINDOWS, "low-bitrate-windows",
      "Low bitrate windows",
      "Consecutive windows under 'min-bitrate' that count as a failure.", 1,
      DEFAULT_LOW_BITRATE_WINDOWS, rw_playing);
}

/* Content health: black, frozen, silent while connected. */
static void
install_content_props (GObjectClass *gobject_class)
{
  install_uint (gobject_class, PROP_BLACK_TIMEOUT, "black-timeout",
                "Black timeout",
                "Time in milliseconds a candidate's picture may stay black "
                "before it counts as failed (reason black); 0 turns the check "
                "off.",
                0, DEFAULT_BLACK_TIMEOUT_MS, rw_playing);
  install_uint (gobject_class, PROP_FROZEN_TIMEOUT, "frozen-timeout",
                "Frozen timeout",
                "Time in milliseconds a candidate's picture may stay the same "
                "(a repeated frame) before it counts as failed (reason "
                "frozen); 0 turns the check off.",
                0, DEFAULT_FROZEN_TIMEOUT_MS, rw_playing);
  install_uint (gobject_class, PROP_SILENCE_TIMEOUT, "silence-timeout",
                "Silence timeout",
                "Time in milliseconds a candidate's audio may stay silent "
                "(peak under -60 dBFS) before it counts as failed (reason "
                "silent); 0, the default, turns the check off.",
                0, DEFAULT_SILENCE_TIMEOUT_MS, rw_playing);
}

/* Retries and failback. */
static void
install_retry_props (GObjectClass *gobject_class)
{
  install_uint (
      gobject_class, PROP_RETRY_DELAY, "retry-delay", "Retry delay",
      "First retry delay in milliseconds of a failed candidate; later "
      "retries back off exponentially with jitter.",
      0, DEFAULT_RETRY_DELAY_MS, rw_playing);
  install_uint (gobject_class, PROP_RETRY_MAX_DELAY, "retry-max-delay",
                "Retry max delay", "Cap in milliseconds of the retry delay.", 0,
                DEFAULT_RETRY_MAX_DELAY_MS, rw_playing);
  g_object_class_install_property (
      gobject_class, PROP_RETRY_MAX_ATTEMPTS,
      g_param_spec_int (
          "retry-max-attempts", "Retry max attempts",
          "Retries per candidate before giving up on it; -1 is unlimited "
          "(fatal failures are never retried).",
          -1, G_MAXINT, DEFAULT_RETRY_MAX_ATTEMPTS, rw_playing));
  install_uint (
      gobject_class, PROP_FAILBACK_HOLDOFF, "failback-holdoff",
      "Failback hold-off",
      "Time in milliseconds a higher-priority candidate must be healthy "
      "before the output returns to it (doubled for a candidate that "
      "fails again soon after a failback).",
      0, DEFAULT_FAILBACK_HOLDOFF_MS, rw_playing);
  g_object_class_install_property (
      gobject_class, PROP_AUTO_FAILBACK,
      g_param_spec_boolean (
          "auto-failback", "Auto failback",
          "Return to a higher-priority candidate automatically once it has "
          "been healthy for the hold-off.",
          DEFAULT_AUTO_FAILBACK, rw_playing));
}

/* What the element is doing (and the manual switch). */
static void
install_state_props (GObjectClass *gobject_class)
{
  g_object_class_install_property (
      gobject_class, PROP_ACTIVE_CANDIDATE,
      g_param_spec_int (
          "active-candidate", "Active candidate",
          "Index of the candidate on the output, -1 for filler; writing an "
          "index is a manual switch, writing -1 returns to automatic choice.",
          -1, G_MAXINT, -1, rw_playing));
  g_object_class_install_property (
      gobject_class, PROP_STATUS,
      g_param_spec_enum (
          "status", "Status",
          "What is on the output: stopped, starting, live (first candidate), "
          "backup (another candidate) or filler (nothing healthy).",
          gst_failover_src_status_get_type (), GST_FAILOVER_SRC_STATUS_STOPPED,
          ro));
  g_object_class_install_property (
      gobject_class, PROP_STATISTICS,
      g_param_spec_boxed (
          "statistics", "Statistics",
          "Counters and per-candidate state as an "
          "application/x-failoversrc-stats structure (see the element's "
          "documentation).",
          GST_TYPE_STRUCTURE, ro));
}

void
install_properties (GObjectClass *gobject_class)
{
  install_candidate_props (gobject_class);
  install_output_props (gobject_class);
  install_health_props (gobject_class);
  install_content_props (gobject_class);
  install_retry_props (gobject_class);
  install_state_props (gobject_class);
}

} // namespace resilient::gst::failoversrc
