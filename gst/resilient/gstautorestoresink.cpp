/* gst-resilient: autorestoresink
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
/**
 * SECTION:element-autorestoresink
 * @title: autorestoresink
 *
 * A sink bin that publishes live video and audio to RTMP or SRT ingests
 * and keeps publishing through failures, without ever blocking or failing
 * the pipeline upstream.
 *
 * The front (always present sink pads `video` and `audio`, an entry queue
 * per stream, encoders when the input is raw, an optional recording
 * branch) lives in the application's pipeline and never stops. Each
 * publish session is a separate GstPipeline fed through appsrc elements:
 * muxer and network sink (flvmux ! rtmp2sink, mpegtsmux ! srtsink). A
 * session that fails is torn down and rebuilt from the element's control
 * thread; meanwhile the front keeps running at its own pace and media is
 * dropped or held (`max-hold-time`). A new session starts on a keyframe.
 *
 * Video-only and audio-only publishing: link only the pads you use before
 * the element goes to PAUSED; an unlinked pad is not published.
 *
 * ## Example launch line
 * |[
 * gst-launch-1.0 videotestsrc is-live=true ! autorestoresink.video \
 *   audiotestsrc is-live=true ! autorestoresink.audio \
 *   autorestoresink name=autorestoresink \
 *     location="rtmp://ingest-a/live/KEY rtmp://ingest-b/live/KEY"
 * ]|
 *
 * Locking: `settings_lock` guards the properties; `lock` guards what the
 * streaming threads share with the control loop (sessions being fed, the
 * hold queue, counters). Order: settings_lock before lock before the
 * appsrc's own lock (samples are pushed into appsrcs with `lock` held so
 * that held and live media cannot be reordered) before the ControlLoop's
 * lock. No message is posted, no property notified and no child's state
 * changed with `lock` or `settings_lock` held.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstautorestoresink.h"

#include "elements.h"
#include "resilient/core/textlist.h"
#include "restore/controller.h"
#include "restore/encoderguard.h"
#include "restore/publishfront.h"
#include "restore/run.h"
#include "restore/sinkprivate.h"

#include <map>
#include <type_traits>
#include <variant>

/* Shared with the parts in restore/. */
GST_DEBUG_CATEGORY (gst_auto_restore_sink_debug);

using namespace resilient::gst::autorestore;
using resilient::gst::register_enum_once;

enum {
  PROP_0,
  PROP_LOCATION,
  PROP_REDUNDANT,
  PROP_FAILBACK_HOLDOFF,
  PROP_VIDEO_ENCODER,
  PROP_FALLBACK_VIDEO_ENCODER,
  PROP_CODEC_FALLBACK,
  PROP_AUDIO_ENCODER,
  PROP_VIDEO_BITRATE,
  PROP_AUDIO_BITRATE,
  PROP_KEYFRAME_INTERVAL,
  PROP_MAX_HOLD_TIME,
  PROP_CHECK_BITRATE,
  PROP_BITRATE_CHECK_INTERVAL,
  PROP_BITRATE_MAX_TRIES,
  PROP_RESTORE,
  PROP_RESTORE_INTERVAL,
  PROP_RESTORE_MAX_TRIES,
  PROP_RESTORE_FAST_FIRST,
  PROP_RESTORE_BACKOFF,
  PROP_RESTORE_MAX_INTERVAL,
  PROP_MISSING_PINGS,
  PROP_PING_CHECK_PERIOD,
  PROP_PROBE_INTERVAL,
  PROP_NETWORK_MONITOR,
  PROP_RECORDING_LOCATION,
  PROP_RECORDING_MAX_SIZE_BYTES,
  PROP_RECORDING_MAX_DURATION,
  PROP_RECORDING_MUXER,
  PROP_EOS_DRAIN_TIMEOUT,
  PROP_CONNECT_TIMEOUT,
  PROP_STATUS,
  PROP_STATISTICS,
};

/* ------------------------------------------------------------- status */

#define GST_TYPE_AUTO_RESTORE_SINK_STATUS                                      \
  (gst_auto_restore_sink_status_get_type ())
static GType
gst_auto_restore_sink_status_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    { GST_AUTO_RESTORE_SINK_STATUS_STOPPED, "Not publishing", "stopped" },
    { GST_AUTO_RESTORE_SINK_STATUS_CONNECTING, "Connecting for the first time",
      "connecting" },
    { GST_AUTO_RESTORE_SINK_STATUS_PUBLISHING, "Media flows to a destination",
      "publishing" },
    { GST_AUTO_RESTORE_SINK_STATUS_RESTORING,
      "The connection was lost, restoring", "restoring" },
    { GST_AUTO_RESTORE_SINK_STATUS_GAVE_UP, "Restore tries used up",
      "gave-up" },
    { GST_AUTO_RESTORE_SINK_STATUS_FAILED,
      "A fatal error (refused, local error)", "failed" },
    { 0, nullptr, nullptr },
  };
  return register_enum_once (&type, "GstAutoRestoreSinkStatus", values);
}

static const char *
status_nick (GstAutoRestoreSinkStatus s)
{
  GEnumValue *v = g_enum_get_value (
      G_ENUM_CLASS (g_type_class_peek (GST_TYPE_AUTO_RESTORE_SINK_STATUS)), s);
  return v ? v->value_nick : "unknown";
}

#define gst_auto_restore_sink_parent_class parent_class
G_DEFINE_TYPE (GstAutoRestoreSink, gst_auto_restore_sink, GST_TYPE_BIN);
GST_ELEMENT_REGISTER_DEFINE (autorestoresink, "autorestoresink", GST_RANK_NONE,
                             GST_TYPE_AUTO_RESTORE_SINK);

/* ------------------------------------------------------ GstBin/Element */

static void
gst_auto_restore_sink_handle_message (GstBin *bin, GstMessage *msg)
{
  auto *self = GST_AUTO_RESTORE_SINK (bin);
  auto *priv = self->priv;
  switch (GST_MESSAGE_TYPE (msg)) {
  case GST_MESSAGE_ERROR: {
    /* An encoder failing while running: swapped on the loop, never an
     * ERROR of the element. */
    EncoderGuard *g = nullptr;
    if (GstElement *enc = EncoderGuard::of (GST_MESSAGE_SRC (msg), &g)) {
      GError *err = nullptr;
      gst_message_parse_error (msg, &err, nullptr);
      g->trip (enc, std::string ("error '") + (err ? err->message : "unknown")
                        + "'");
      g_clear_error (&err);
      gst_message_unref (msg);
      return;
    }
    /* The recording failing (unwritable, disk full) is a WARNING: the
     * loop posts it and publishing goes on. */
    if (resilient::gst::Recording::owns (GST_MESSAGE_SRC (msg))) {
      GError *err = nullptr;
      gst_message_parse_error (msg, &err, nullptr);
      priv->recorder.clips ().trip (
          resilient::gst::Recording::file_of (GST_MESSAGE_SRC (msg)),
          err ? err->message : "unknown error");
      g_clear_error (&err);
      gst_message_unref (msg);
      return;
    }
    break;
  }
  case GST_MESSAGE_EOS: {
    /* The element posts its own EOS once the sessions drained; the
     * children's EOS (appsinks, recording) never reach the parent. */
    /* Read from any thread: the recording's tag, not its (loop-owned)
     * splitmuxsink pointer. */
    if (resilient::gst::Recording::owns (GST_MESSAGE_SRC (msg))) {
      priv->loop.post ([keep = SelfRef (self)] {
        keep.p->priv->recorder.on_eos ();
        keep.p->priv->drain.finish_if_done ();
      });
    }
    gst_message_unref (msg);
    return;
  }
  case GST_MESSAGE_ELEMENT: {
    if (auto clip = priv->recorder.clips ().note_message (msg)) {
      std::uint64_t n;
      {
        std::lock_guard<std::mutex> g (priv->lock);
        n = ++priv->stats.clips;
      }
      post_event (self, "clip-closed",
                  gst_structure_new (
                      "x", "location", G_TYPE_STRING, clip->location.c_str (),
                      "index", G_TYPE_UINT64, n - 1, "running-time-ms",
                      G_TYPE_INT64, clip->running_time_ms, nullptr));
    }
    break;
  }
  default:
    break;
  }
  GST_BIN_CLASS (parent_class)->handle_message (bin, msg);
}

static GstStateChangeReturn
gst_auto_restore_sink_change_state (GstElement *element,
                                    GstStateChange transition)
{
  auto *self = GST_AUTO_RESTORE_SINK (element);
  auto *priv = self->priv;
  std::string error;
  bool ok = true;

  switch (transition) {
  case GST_STATE_CHANGE_NULL_TO_READY:
    ok = open_run (self, error);
    break;
  case GST_STATE_CHANGE_READY_TO_PAUSED:
    priv->loop.post_and_wait (
        [self, &ok, &error] { ok = begin_publishing (self, error); });
    break;
  case GST_STATE_CHANGE_PAUSED_TO_READY:
    priv->loop.post_and_wait ([self] { stop_publishing (self); });
    break;
  default:
    break;
  }
  if (!ok) {
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS, ("%s", error.c_str ()),
                       (nullptr));
    return GST_STATE_CHANGE_FAILURE;
  }

  GstStateChangeReturn ret
      = GST_ELEMENT_CLASS (parent_class)->change_state (element, transition);
  if (ret == GST_STATE_CHANGE_FAILURE)
    return ret;

  switch (transition) {
  case GST_STATE_CHANGE_PAUSED_TO_READY:
    priv->loop.post_and_wait ([self] { update_status (self); });
    break;
  case GST_STATE_CHANGE_READY_TO_NULL:
    priv->loop.post_and_wait ([self] { close_run (self); });
    priv->loop.stop ();
    priv->reach.release ();
    {
      std::lock_guard<std::mutex> g (priv->lock);
      priv->hold.clear ([] (GstBuffer *&b) { gst_buffer_unref (b); });
    }
    break;
  default:
    break;
  }
  return ret;
}

/* --------------------------------------------------------- properties */

static GstStructure *
make_statistics (GstAutoRestoreSink *self)
{
  auto *priv = self->priv;
  std::lock_guard<std::mutex> g (priv->lock);
  const Stats &s = priv->stats;
  return gst_structure_new (
      "autorestoresink-statistics", "status", G_TYPE_STRING,
      status_nick (priv->status), "destination", G_TYPE_STRING,
      s.destination.c_str (), "destination-index", G_TYPE_INT,
      s.destination_index, "restores", G_TYPE_UINT64, s.restores, "retries",
      G_TYPE_UINT64, s.retries, "probes", G_TYPE_UINT64, s.probes,
      "republishes", G_TYPE_UINT64, s.republishes, "failovers", G_TYPE_UINT64,
      s.failovers, "codec-changes", G_TYPE_UINT64, s.codec_changes,
      "encoder-changes", G_TYPE_UINT64, s.encoder_changes, "network-changes",
      G_TYPE_UINT64, s.network_changes, "clips", G_TYPE_UINT64, s.clips,
      "recording-failures", G_TYPE_UINT64, s.recording_failures, "bytes-in",
      G_TYPE_UINT64,
      (guint64)(priv->front.video ().bytes_in + priv->front.audio ().bytes_in),
      "buffers-in", G_TYPE_UINT64,
      (guint64)(priv->front.video ().buffers_in
                + priv->front.audio ().buffers_in),
      "bytes-out", G_TYPE_UINT64, s.bytes_out, "bitrate-kbps", G_TYPE_DOUBLE,
      s.bitrate_kbps, "zero-bitrate-intervals", G_TYPE_INT,
      s.zero_bitrate_intervals, "pings", G_TYPE_UINT64, s.pings,
      "missing-pings", G_TYPE_INT, s.missing_pings, "rtt-ms", G_TYPE_DOUBLE,
      s.rtt_ms, "held-buffers", G_TYPE_UINT64, (guint64)priv->hold.size (),
      "held-ms", G_TYPE_INT64, to_ms (priv->hold.span ()), "dropped-buffers",
      G_TYPE_UINT64, priv->hold.stats ().dropped, "last-outage-ms",
      G_TYPE_INT64, s.last_outage_ms, "max-outage-ms", G_TYPE_INT64,
      s.max_outage_ms, "last-failure", G_TYPE_STRING, s.last_failure.c_str (),
      "video-codec", G_TYPE_STRING, s.video_codec.c_str (), "video-encoder",
      G_TYPE_STRING, s.video_encoder.c_str (), "audio-codec", G_TYPE_STRING,
      s.audio_codec.c_str (), nullptr);
}

/* Where each property the settings hold lives (gboolean and gint are
 * both int; the GValue says which). */
using SettingsField = std::variant<std::string Settings::*, int Settings::*,
                                   guint Settings::*, guint64 Settings::*>;

static const std::map<guint, SettingsField> &
settings_fields ()
{
  static const std::map<guint, SettingsField> fields = {
    { PROP_LOCATION, &Settings::location },
    { PROP_REDUNDANT, &Settings::redundant },
    { PROP_FAILBACK_HOLDOFF, &Settings::failback_holdoff_ms },
    { PROP_VIDEO_ENCODER, &Settings::video_encoder },
    { PROP_FALLBACK_VIDEO_ENCODER, &Settings::fallback_video_encoder },
    { PROP_CODEC_FALLBACK, &Settings::codec_fallback },
    { PROP_AUDIO_ENCODER, &Settings::audio_encoder },
    { PROP_VIDEO_BITRATE, &Settings::video_bitrate },
    { PROP_AUDIO_BITRATE, &Settings::audio_bitrate },
    { PROP_KEYFRAME_INTERVAL, &Settings::keyframe_interval_ms },
    { PROP_MAX_HOLD_TIME, &Settings::max_hold_time_ms },
    { PROP_CHECK_BITRATE, &Settings::check_bitrate },
    { PROP_BITRATE_CHECK_INTERVAL, &Settings::bitrate_check_interval_ms },
    { PROP_BITRATE_MAX_TRIES, &Settings::bitrate_max_tries },
    { PROP_RESTORE, &Settings::restore },
    { PROP_RESTORE_INTERVAL, &Settings::restore_interval_ms },
    { PROP_RESTORE_MAX_TRIES, &Settings::restore_max_tries },
    { PROP_RESTORE_FAST_FIRST, &Settings::restore_fast_first },
    { PROP_RESTORE_BACKOFF, &Settings::restore_backoff },
    { PROP_RESTORE_MAX_INTERVAL, &Settings::restore_max_interval_ms },
    { PROP_MISSING_PINGS, &Settings::missing_pings },
    { PROP_PING_CHECK_PERIOD, &Settings::ping_check_period_ms },
    { PROP_PROBE_INTERVAL, &Settings::probe_interval_ms },
    { PROP_NETWORK_MONITOR, &Settings::network_monitor },
    { PROP_RECORDING_LOCATION, &Settings::recording_location },
    { PROP_RECORDING_MAX_SIZE_BYTES, &Settings::recording_max_size_bytes },
    { PROP_RECORDING_MAX_DURATION, &Settings::recording_max_duration_ms },
    { PROP_RECORDING_MUXER, &Settings::recording_muxer },
    { PROP_EOS_DRAIN_TIMEOUT, &Settings::eos_drain_timeout_ms },
    { PROP_CONNECT_TIMEOUT, &Settings::connect_timeout_ms },
  };
  return fields;
}

static void
gst_auto_restore_sink_set_property (GObject *object, guint prop_id,
                                    const GValue *value, GParamSpec *pspec)
{
  auto *self = GST_AUTO_RESTORE_SINK (object);
  auto it = settings_fields ().find (prop_id);
  if (it == settings_fields ().end ()) {
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    return;
  }
  std::lock_guard<std::mutex> g (self->priv->settings_lock);
  Settings &s = self->priv->settings;
  std::visit (
      [&] (auto field) {
        using T = std::remove_reference_t<decltype (s.*field)>;
        if constexpr (std::is_same_v<T, std::string>) {
          const gchar *v = g_value_get_string (value);
          s.*field = v ? v : "";
        } else if constexpr (std::is_same_v<T, guint64>) {
          s.*field = g_value_get_uint64 (value);
        } else if constexpr (std::is_same_v<T, guint>) {
          s.*field = g_value_get_uint (value);
        } else {
          s.*field = G_VALUE_HOLDS_BOOLEAN (value) ? g_value_get_boolean (value)
                                                   : g_value_get_int (value);
        }
      },
      it->second);
}

/* The location property as shown: stream keys never leave through it. */
static std::string
shown_location (const std::string &location)
{
  std::string shown;
  for (auto &u : resilient::split_words (location, " \t\n"))
    shown += (shown.empty () ? "" : " ") + resilient::gst::redact_uri (u);
  return shown;
}

static void
gst_auto_restore_sink_get_property (GObject *object, guint prop_id,
                                    GValue *value, GParamSpec *pspec)
{
  auto *self = GST_AUTO_RESTORE_SINK (object);
  auto *priv = self->priv;
  if (prop_id == PROP_STATUS) {
    std::lock_guard<std::mutex> g (priv->lock);
    g_value_set_enum (value, priv->status);
    return;
  }
  if (prop_id == PROP_STATISTICS) {
    g_value_take_boxed (value, make_statistics (self));
    return;
  }
  auto it = settings_fields ().find (prop_id);
  if (it == settings_fields ().end ()) {
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    return;
  }
  std::lock_guard<std::mutex> g (priv->settings_lock);
  const Settings &s = priv->settings;
  std::visit (
      [&] (auto field) {
        using T
            = std::remove_cv_t<std::remove_reference_t<decltype (s.*field)>>;
        if constexpr (std::is_same_v<T, std::string>) {
          std::string v
              = prop_id == PROP_LOCATION ? shown_location (s.*field) : s.*field;
          /* Unset (a NULL default) reads as NULL. */
          bool null = (s.*field).empty ()
                      && !G_PARAM_SPEC_STRING (pspec)->default_value;
          g_value_set_string (value, null ? nullptr : v.c_str ());
        } else if constexpr (std::is_same_v<T, guint64>) {
          g_value_set_uint64 (value, s.*field);
        } else if constexpr (std::is_same_v<T, guint>) {
          g_value_set_uint (value, s.*field);
        } else if (G_VALUE_HOLDS_BOOLEAN (value)) {
          g_value_set_boolean (value, s.*field);
        } else {
          g_value_set_int (value, s.*field);
        }
      },
      it->second);
}

static void
gst_auto_restore_sink_finalize (GObject *object)
{
  auto *self = GST_AUTO_RESTORE_SINK (object);
  self->priv->loop.stop ();
  gst_caps_replace (&self->priv->front.video ().caps, nullptr);
  gst_caps_replace (&self->priv->front.audio ().caps, nullptr);
  delete self->priv;
  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static void
gst_auto_restore_sink_init (GstAutoRestoreSink *self)
{
  self->priv = new GstAutoRestoreSinkPrivate (self);
  /* The first failure of the recording (any thread): handled on the loop. */
  self->priv->recorder.clips ().set_on_failure (
      [self] (const std::string &location, const std::string &why) {
        self->priv->loop.post ([keep = SelfRef (self), location, why] {
          keep.p->priv->recorder.on_failed (location, why);
        });
      });
  self->priv->front.init ();
  GST_OBJECT_FLAG_SET (self, GST_ELEMENT_FLAG_SINK);
}

#define RW_READY                                                               \
  (GParamFlags) (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS                    \
                 | GST_PARAM_MUTABLE_READY)

/* Where to publish: destinations, failover and fail-back. */
static void
install_destination_properties (GObjectClass *gobject_class)
{
  g_object_class_install_property (
      gobject_class, PROP_LOCATION,
      g_param_spec_string (
          "location", "Location",
          "Destination URIs (rtmp://, rtmps://, srt://, whip://, whips://, "
          "an http(s) WHIP endpoint, or cluster://<cluster-id>/<path> for a "
          "clusterresolver's hosts) separated by spaces, primary first and "
          "backups after it; stream keys and tokens are never shown.",
          DEFAULT_LOCATION, RW_READY));
  g_object_class_install_property (
      gobject_class, PROP_REDUNDANT,
      g_param_spec_boolean (
          "redundant", "Redundant",
          "Publish to every destination at once (redundant ingest) instead "
          "of the first one that works.",
          DEFAULT_REDUNDANT, RW_READY));
  g_object_class_install_property (
      gobject_class, PROP_FAILBACK_HOLDOFF,
      g_param_spec_uint (
          "failback-holdoff", "Fail-back hold-off",
          "Time in milliseconds on a backup destination before trying the "
          "primary again (make-before-break); 0 stays on the backup.",
          0, G_MAXUINT, DEFAULT_FAILBACK_HOLDOFF_MS, RW_READY));
}

/* Encoders, bitrates, keyframes and holding media. */
static void
install_encoder_properties (GObjectClass *gobject_class)
{
  g_object_class_install_property (
      gobject_class, PROP_VIDEO_ENCODER,
      g_param_spec_string (
          "video-encoder", "Video encoder",
          "Video encoder factories for raw input, in order of preference "
          "separated by commas; the next is used when one fails to start.",
          DEFAULT_VIDEO_ENCODER, RW_READY));
  g_object_class_install_property (
      gobject_class, PROP_FALLBACK_VIDEO_ENCODER,
      g_param_spec_string (
          "fallback-video-encoder", "Fallback video encoder",
          "Video encoder factories of another codec used when publishing "
          "with the first codec fails and the destination takes the other.",
          DEFAULT_FALLBACK_VIDEO_ENCODER, RW_READY));
  g_object_class_install_property (
      gobject_class, PROP_CODEC_FALLBACK,
      g_param_spec_boolean (
          "codec-fallback", "Codec fallback",
          "Change the video codec (for example H264 to VP8) when publishing "
          "with the first one fails.",
          DEFAULT_CODEC_FALLBACK, RW_READY));
  g_object_class_install_property (
      gobject_class, PROP_AUDIO_ENCODER,
      g_param_spec_string (
          "audio-encoder", "Audio encoder",
          "Audio encoder factories for raw input, in order of preference "
          "separated by commas.",
          DEFAULT_AUDIO_ENCODER, RW_READY));
  g_object_class_install_property (
      gobject_class, PROP_VIDEO_BITRATE,
      g_param_spec_uint ("video-bitrate", "Video bitrate",
                         "Video encoder bitrate in kbit/s, for raw input.", 1,
                         G_MAXUINT / 1000, DEFAULT_VIDEO_BITRATE, RW_READY));
  g_object_class_install_property (
      gobject_class, PROP_AUDIO_BITRATE,
      g_param_spec_uint ("audio-bitrate", "Audio bitrate",
                         "Audio encoder bitrate in kbit/s, for raw input.", 1,
                         G_MAXUINT / 1000, DEFAULT_AUDIO_BITRATE, RW_READY));
  g_object_class_install_property (
      gobject_class, PROP_KEYFRAME_INTERVAL,
      g_param_spec_uint (
          "keyframe-interval", "Keyframe interval",
          "Time in milliseconds between video keyframes, for raw input.", 1,
          G_MAXUINT, DEFAULT_KEYFRAME_INTERVAL_MS, RW_READY));
  g_object_class_install_property (
      gobject_class, PROP_MAX_HOLD_TIME,
      g_param_spec_uint (
          "max-hold-time", "Maximum hold time",
          "Media in milliseconds held during an outage and sent on reconnect "
          "(from a keyframe); 0 holds only the current group of pictures.",
          0, G_MAXUINT, DEFAULT_MAX_HOLD_TIME_MS, RW_READY));
}

/* The bitrate watch. */
static void
install_health_properties (GObjectClass *gobject_class)
{
  g_object_class_install_property (
      gobject_class, PROP_CHECK_BITRATE,
      g_param_spec_boolean (
          "check-bitrate", "Check bitrate",
          "Republish when no bytes leave for bitrate-max-tries check "
          "intervals in a row while media comes in.",
          DEFAULT_CHECK_BITRATE, RW_READY));
  g_object_class_install_property (
      gobject_class, PROP_BITRATE_CHECK_INTERVAL,
      g_param_spec_uint (
          "bitrate-check-interval", "Bitrate check interval",
          "Time in milliseconds between two outgoing bitrate checks.", TICK_MS,
          G_MAXUINT, DEFAULT_BITRATE_CHECK_INTERVAL_MS, RW_READY));
  g_object_class_install_property (
      gobject_class, PROP_BITRATE_MAX_TRIES,
      g_param_spec_uint (
          "bitrate-max-tries", "Bitrate max tries",
          "Zero-bitrate check intervals in a row that mean republish; 0 "
          "never republishes on bitrate.",
          0, G_MAXUINT, DEFAULT_BITRATE_MAX_TRIES, RW_READY));
}

/* When to publish again: the restore schedule, liveness, probes. */
static void
install_restore_properties (GObjectClass *gobject_class)
{
  g_object_class_install_property (
      gobject_class, PROP_RESTORE,
      g_param_spec_boolean (
          "restore", "Restore",
          "Restore publishing after a server loss, a server restart or the "
          "server stopping the publish.",
          DEFAULT_RESTORE, RW_READY));
  g_object_class_install_property (
      gobject_class, PROP_RESTORE_INTERVAL,
      g_param_spec_uint (
          "restore-interval", "Restore interval",
          "Time in milliseconds between restore tries (the first of the "
          "backoff when restore-backoff is set).",
          1, G_MAXUINT, DEFAULT_RESTORE_INTERVAL_MS, RW_READY));
  g_object_class_install_property (
      gobject_class, PROP_RESTORE_MAX_TRIES,
      g_param_spec_int (
          "restore-max-tries", "Restore max tries",
          "Restore tries after a loss before giving up; -1 means unlimited.",
          -1, G_MAXINT, DEFAULT_RESTORE_MAX_TRIES, RW_READY));
  g_object_class_install_property (
      gobject_class, PROP_RESTORE_FAST_FIRST,
      g_param_spec_boolean (
          "restore-fast-first", "Fast first restore",
          "Make the first restore try at once; the interval applies from "
          "the second.",
          DEFAULT_RESTORE_FAST_FIRST, RW_READY));
  g_object_class_install_property (
      gobject_class, PROP_RESTORE_BACKOFF,
      g_param_spec_boolean (
          "restore-backoff", "Restore backoff",
          "Double the wait after each failed try, with 20 percent jitter, "
          "up to restore-max-interval.",
          DEFAULT_RESTORE_BACKOFF, RW_READY));
  g_object_class_install_property (
      gobject_class, PROP_RESTORE_MAX_INTERVAL,
      g_param_spec_uint (
          "restore-max-interval", "Restore max interval",
          "Longest wait in milliseconds between restore tries with "
          "restore-backoff.",
          1, G_MAXUINT, DEFAULT_RESTORE_MAX_INTERVAL_MS, RW_READY));
  g_object_class_install_property (
      gobject_class, PROP_MISSING_PINGS,
      g_param_spec_uint (
          "missing-pings", "Missing pings",
          "Pings missed in a row over ping-check-period that mean the "
          "connection is dead; 0 disables the check.",
          0, G_MAXUINT, DEFAULT_MISSING_PINGS, RW_READY));
  g_object_class_install_property (
      gobject_class, PROP_PING_CHECK_PERIOD,
      g_param_spec_uint (
          "ping-check-period", "Ping check period",
          "Time in milliseconds without any ping from a peer that owes one "
          "after which the connection is dead; 0 disables the check.",
          0, G_MAXUINT, DEFAULT_PING_CHECK_PERIOD_MS, RW_READY));
  g_object_class_install_property (
      gobject_class, PROP_PROBE_INTERVAL,
      g_param_spec_uint (
          "probe-interval", "Probe interval",
          "Longest time in milliseconds between TCP connect probes of a "
          "lost server while waiting to retry (the first probes of an "
          "outage come every 25 ms, the gap growing with the outage); a "
          "server that was down and accepts again is retried at once. 0 "
          "disables probes.",
          0, G_MAXUINT, DEFAULT_PROBE_INTERVAL_MS, RW_READY));
  g_object_class_install_property (
      gobject_class, PROP_NETWORK_MONITOR,
      g_param_spec_boolean (
          "network-monitor", "Network monitor",
          "Retry at once, skipping the wait, when the host's network "
          "changes.",
          DEFAULT_NETWORK_MONITOR, RW_READY));
}

/* The recording side job. */
static void
install_recording_properties (GObjectClass *gobject_class)
{
  g_object_class_install_property (
      gobject_class, PROP_RECORDING_LOCATION,
      g_param_spec_string (
          "recording-location", "Recording location",
          "File name pattern for local recording clips, with a printf "
          "integer (clip-%05d.mkv); unset means no recording.",
          DEFAULT_RECORDING_LOCATION, RW_READY));
  g_object_class_install_property (
      gobject_class, PROP_RECORDING_MAX_SIZE_BYTES,
      g_param_spec_uint64 (
          "recording-max-size-bytes", "Recording clip size",
          "Size in bytes after which a recording clip is closed; 0 means no "
          "size limit.",
          0, G_MAXUINT64, DEFAULT_RECORDING_MAX_SIZE_BYTES, RW_READY));
  g_object_class_install_property (
      gobject_class, PROP_RECORDING_MAX_DURATION,
      g_param_spec_uint64 (
          "recording-max-duration", "Recording clip duration",
          "Length in milliseconds after which a recording clip is closed; 0 "
          "means no length limit.",
          0, G_MAXUINT64 / GST_MSECOND, DEFAULT_RECORDING_MAX_DURATION_MS,
          RW_READY));
  g_object_class_install_property (
      gobject_class, PROP_RECORDING_MUXER,
      g_param_spec_string (
          "recording-muxer", "Recording muxer",
          "Muxer factory for recording clips (matroskamux keeps a clip "
          "readable even if the process dies).",
          DEFAULT_RECORDING_MUXER, RW_READY));
}

/* A session's bounds: EOS drain and connect timeout. */
static void
install_session_properties (GObjectClass *gobject_class)
{
  g_object_class_install_property (
      gobject_class, PROP_EOS_DRAIN_TIMEOUT,
      g_param_spec_uint (
          "eos-drain-timeout", "EOS drain timeout",
          "Time in milliseconds to let sessions finish sending after EOS "
          "before the element posts EOS anyway.",
          0, G_MAXUINT, DEFAULT_EOS_DRAIN_TIMEOUT_MS, RW_READY));
  g_object_class_install_property (
      gobject_class, PROP_CONNECT_TIMEOUT,
      g_param_spec_uint (
          "connect-timeout", "Connect timeout",
          "Time in milliseconds a session may take from its start to "
          "publishing (TCP connect, handshake and publish command, SRT "
          "handshake, WHIP exchange) while media comes in; then it fails as "
          "connect-failed and is retried. 0 disables the limit.",
          0, G_MAXUINT, DEFAULT_CONNECT_TIMEOUT_MS, RW_READY));
}

/* What the element is doing. */
static void
install_status_properties (GObjectClass *gobject_class)
{
  g_object_class_install_property (
      gobject_class, PROP_STATUS,
      g_param_spec_enum (
          "status", "Status",
          "What the element is doing: stopped, connecting, publishing, "
          "restoring, gave-up or failed.",
          GST_TYPE_AUTO_RESTORE_SINK_STATUS,
          GST_AUTO_RESTORE_SINK_STATUS_STOPPED,
          (GParamFlags)(G_PARAM_READABLE | G_PARAM_STATIC_STRINGS)));
  g_object_class_install_property (
      gobject_class, PROP_STATISTICS,
      g_param_spec_boxed (
          "statistics", "Statistics",
          "Counters and health of the publishing, documented field by field "
          "in docs/elements/autorestoresink.md.",
          GST_TYPE_STRUCTURE,
          (GParamFlags)(G_PARAM_READABLE | G_PARAM_STATIC_STRINGS)));
}

static void
gst_auto_restore_sink_class_init (GstAutoRestoreSinkClass *klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBinClass *bin_class = GST_BIN_CLASS (klass);

  gobject_class->set_property = gst_auto_restore_sink_set_property;
  gobject_class->get_property = gst_auto_restore_sink_get_property;
  gobject_class->finalize = gst_auto_restore_sink_finalize;

  install_destination_properties (gobject_class);
  install_encoder_properties (gobject_class);
  install_health_properties (gobject_class);
  install_restore_properties (gobject_class);
  install_recording_properties (gobject_class);
  install_session_properties (gobject_class);
  install_status_properties (gobject_class);

  element_class->change_state = gst_auto_restore_sink_change_state;
  bin_class->handle_message = gst_auto_restore_sink_handle_message;

  gst_element_class_add_static_pad_template (element_class, &video_template);
  gst_element_class_add_static_pad_template (element_class, &audio_template);
  gst_element_class_set_static_metadata (
      element_class, "Auto-restoring publisher", "Sink/Network/Bin",
      "Publishes live audio and video to RTMP, SRT or WHIP and keeps "
      "publishing "
      "through server, network and encoder failures",
      "gst-resilient");

  gst_type_mark_as_plugin_api (GST_TYPE_AUTO_RESTORE_SINK_STATUS,
                               (GstPluginAPIFlags)0);
  GST_DEBUG_CATEGORY_INIT (gst_auto_restore_sink_debug, "autorestoresink", 0,
                           "autorestoresink");
}
