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

#include "common/controlloop.h"
#include "common/messages.h"
#include "common/publishtransport.h"
#include "common/selfref.h"
#include "restore/publishsession.h"
#include "restore/recording.h"
#include "elements.h"
#include "resilient/cluster/client.h"
#include "resilient/restore/coordinator.h"
#include "resilient/restore/destination_list.h"
#include "resilient/restore/encoder_chain.h"
#include "resilient/restore/hold_queue.h"
#include "resilient/restore/reach_probe.h"
#include "resilient/restore/restore_scheduler.h"
#include "resilient/restore/watchers.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <gst/app/app.h>
#include <gst/video/video.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <functional>
#include <optional>
#include <cstring>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>

#include <cerrno>
#include <unistd.h>

/* Shared with the parts in restore/. */
GST_DEBUG_CATEGORY (gst_auto_restore_sink_debug);
#define GST_CAT_DEFAULT gst_auto_restore_sink_debug

using namespace resilient;
using namespace resilient::restore;
using resilient::gst::ControlLoop;
using resilient::gst::MessageRef;
using resilient::gst::PublishTransport;
using resilient::gst::TransportFailure;
using resilient::gst::TransportHealth;

/* ------------------------------------------------------------ defaults */

/* Seed (Flashphoner Streaming Auto Restore) values, see
 * docs/elements/autorestoresink.md for each justification. */
#define DEFAULT_LOCATION nullptr
#define DEFAULT_VIDEO_ENCODER "x264enc"
#define DEFAULT_FALLBACK_VIDEO_ENCODER "vp8enc"
#define DEFAULT_AUDIO_ENCODER "voaacenc,avenc_aac"
#define DEFAULT_CODEC_FALLBACK TRUE
#define DEFAULT_VIDEO_BITRATE 2000
#define DEFAULT_AUDIO_BITRATE 128
#define DEFAULT_KEYFRAME_INTERVAL_MS 2000
#define DEFAULT_MAX_HOLD_TIME_MS 0
#define DEFAULT_CHECK_BITRATE TRUE
#define DEFAULT_BITRATE_CHECK_INTERVAL_MS 500
#define DEFAULT_BITRATE_MAX_TRIES 3
#define DEFAULT_RESTORE TRUE
#define DEFAULT_RESTORE_INTERVAL_MS 3000
#define DEFAULT_RESTORE_MAX_TRIES 100
#define DEFAULT_RESTORE_FAST_FIRST TRUE
#define DEFAULT_RESTORE_BACKOFF FALSE
#define DEFAULT_RESTORE_MAX_INTERVAL_MS 30000
#define DEFAULT_MISSING_PINGS 10
#define DEFAULT_PING_CHECK_PERIOD_MS 5000
#define DEFAULT_PROBE_INTERVAL_MS 100
/* The first probes of an outage (a restarted server is back within a
 * second or two); the gap grows with the outage's age / PROBE_GROWTH up to
 * probe-interval. */
#define PROBE_MIN_INTERVAL_MS 25
#define PROBE_GROWTH 40
#define DEFAULT_CONNECT_TIMEOUT_MS 10000
#define DEFAULT_NETWORK_MONITOR TRUE
#define DEFAULT_REDUNDANT FALSE
#define DEFAULT_FAILBACK_HOLDOFF_MS 30000
#define DEFAULT_RECORDING_LOCATION nullptr
#define DEFAULT_RECORDING_MAX_SIZE_BYTES 0
#define DEFAULT_RECORDING_MAX_DURATION_MS 0
#define DEFAULT_RECORDING_MUXER "matroskamux"
#define DEFAULT_EOS_DRAIN_TIMEOUT_MS 3000

/* How often the control loop polls the sessions' health. */
#define TICK_MS 100
/* How often a failed recording checks whether it can write again
 * (docs/elements/autorestoresink.md, "Recording"). */
#define RECORDING_RETRY_MS 2000

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

typedef enum {
  GST_AUTO_RESTORE_SINK_STATUS_STOPPED,
  GST_AUTO_RESTORE_SINK_STATUS_CONNECTING,
  GST_AUTO_RESTORE_SINK_STATUS_PUBLISHING,
  GST_AUTO_RESTORE_SINK_STATUS_RESTORING,
  GST_AUTO_RESTORE_SINK_STATUS_GAVE_UP,
  GST_AUTO_RESTORE_SINK_STATUS_FAILED,
} GstAutoRestoreSinkStatus;

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
  if (g_once_init_enter (&type)) {
    GType t = g_enum_register_static ("GstAutoRestoreSinkStatus", values);
    g_once_init_leave (&type, t);
  }
  return type;
}

static const char *
status_nick (GstAutoRestoreSinkStatus s)
{
  GEnumValue *v = g_enum_get_value (
      G_ENUM_CLASS (g_type_class_peek (GST_TYPE_AUTO_RESTORE_SINK_STATUS)), s);
  return v ? v->value_nick : "unknown";
}

/* ------------------------------------------------------------ private */

namespace {

struct Settings
{
  std::string location;
  gboolean redundant = DEFAULT_REDUNDANT;
  guint failback_holdoff_ms = DEFAULT_FAILBACK_HOLDOFF_MS;
  std::string video_encoder = DEFAULT_VIDEO_ENCODER;
  std::string fallback_video_encoder = DEFAULT_FALLBACK_VIDEO_ENCODER;
  gboolean codec_fallback = DEFAULT_CODEC_FALLBACK;
  std::string audio_encoder = DEFAULT_AUDIO_ENCODER;
  guint video_bitrate = DEFAULT_VIDEO_BITRATE;
  guint audio_bitrate = DEFAULT_AUDIO_BITRATE;
  guint keyframe_interval_ms = DEFAULT_KEYFRAME_INTERVAL_MS;
  guint max_hold_time_ms = DEFAULT_MAX_HOLD_TIME_MS;
  gboolean check_bitrate = DEFAULT_CHECK_BITRATE;
  guint bitrate_check_interval_ms = DEFAULT_BITRATE_CHECK_INTERVAL_MS;
  guint bitrate_max_tries = DEFAULT_BITRATE_MAX_TRIES;
  gboolean restore = DEFAULT_RESTORE;
  guint restore_interval_ms = DEFAULT_RESTORE_INTERVAL_MS;
  gint restore_max_tries = DEFAULT_RESTORE_MAX_TRIES;
  gboolean restore_fast_first = DEFAULT_RESTORE_FAST_FIRST;
  gboolean restore_backoff = DEFAULT_RESTORE_BACKOFF;
  guint restore_max_interval_ms = DEFAULT_RESTORE_MAX_INTERVAL_MS;
  guint missing_pings = DEFAULT_MISSING_PINGS;
  guint ping_check_period_ms = DEFAULT_PING_CHECK_PERIOD_MS;
  guint probe_interval_ms = DEFAULT_PROBE_INTERVAL_MS;
  gboolean network_monitor = DEFAULT_NETWORK_MONITOR;
  std::string recording_location;
  guint64 recording_max_size_bytes = DEFAULT_RECORDING_MAX_SIZE_BYTES;
  guint64 recording_max_duration_ms = DEFAULT_RECORDING_MAX_DURATION_MS;
  std::string recording_muxer = DEFAULT_RECORDING_MUXER;
  guint eos_drain_timeout_ms = DEFAULT_EOS_DRAIN_TIMEOUT_MS;
  guint connect_timeout_ms = DEFAULT_CONNECT_TIMEOUT_MS;
};

/* One input stream's front: entry queue -> (convert, encoder) -> parser ->
 * tee -> queue -> appsink, plus a recording branch off the tee. */
struct Front
{
  bool video = true;
  GstPad *ghost = nullptr;
  GstElement *entry = nullptr;
  GstElement *appsink = nullptr;
  /* Built on the first caps. */
  std::vector<GstElement *> chain;
  GstElement *encoder = nullptr;
  GstElement *tee = nullptr;
  bool linked = false;
  bool built = false;
  bool raw = false;
  bool eos = false;
  /* Encoded output caps (under lock). */
  GstCaps *caps = nullptr;
  std::string codec;
  std::string encoder_name;
  /* Keyframe interval in frames for this input's frame rate. */
  guint gop_frames = 60;
  std::atomic<std::uint64_t> bytes_in{ 0 };
  std::atomic<std::uint64_t> buffers_in{ 0 };
};

using Session = resilient::gst::PublishSession;

struct Slot
{
  std::string uri;
  /* Redacted; for a cluster:// destination the host URL in use. */
  std::string display;
  BitrateWatch bitrate;
  PingWatch pings;
  std::shared_ptr<Session> session;
  ControlLoop::TimerId retry_timer = 0;
  std::string last_reason;
  FailureKind last_kind = FailureKind::ServerLost;
  bool probing = false;
  /* Probe cadence, and whether a probe may skip the wait. */
  ReachProbe reach;
  ControlLoop::TimerId probe_timer = 0;
  /* The failing session's Retry-After (ms, -1 none), for fail_session. */
  std::int64_t retry_after_ms = -1;
  bool gave_up = false;
  bool fatal = false;
  /* The current outage as viewers saw it: from the last media the peer
   * acknowledged (else the failure), and how long noticing took. */
  std::optional<TimePoint> seen_outage_start;
  std::int64_t detection_ms = -1;
  /* cluster://<id>/<path> destinations: the shared resolver's client, and
   * the URL it gave for a session not built yet (a start postponed until
   * a swapped encoder's caps). */
  std::shared_ptr<resilient::cluster::ClusterClient> cluster;
  std::string cluster_url;
};

struct Stats
{
  std::uint64_t restores = 0;
  std::uint64_t retries = 0;
  std::uint64_t probes = 0;
  std::uint64_t republishes = 0;
  std::uint64_t codec_changes = 0;
  std::uint64_t encoder_changes = 0;
  std::uint64_t failovers = 0;
  std::uint64_t network_changes = 0;
  std::uint64_t clips = 0;
  std::uint64_t recording_failures = 0;
  std::uint64_t bytes_out = 0;
  double bitrate_kbps = 0.0;
  int zero_bitrate_intervals = 0;
  int missing_pings = 0;
  std::uint64_t pings = 0;
  double rtt_ms = -1.0;
  std::int64_t last_outage_ms = -1;
  std::int64_t max_outage_ms = -1;
  std::string last_failure;
  std::string destination;
  int destination_index = -1;
  /* Copies of the fronts' names (the fronts are the loop's). */
  std::string video_codec;
  std::string video_encoder;
  std::string audio_codec;
};

using HeldQueue = HoldQueue<GstBuffer *>;

} // namespace

/* The element, kept alive by a task on the loop (released when the task
 * has run or is dropped: timer cancelled, loop stopped). */
using SelfRef = resilient::gst::SelfRef<GstAutoRestoreSink>;

struct GstAutoRestoreSinkPrivate
{
  std::mutex settings_lock;
  Settings settings;

  /* Copied from settings on NULL->READY. */
  Settings run;

  std::mutex lock;
  Front video;
  Front audio;
  std::vector<std::shared_ptr<Session>> sessions;
  HeldQueue hold;
  Stats stats;
  GstAutoRestoreSinkStatus status = GST_AUTO_RESTORE_SINK_STATUS_STOPPED;
  bool any_up = false;

  /* Loop-only state. */
  ControlLoop loop{ "autorestoresink" };
  std::vector<Slot> slots;
  /* Schedulers, failover/fail-back, refusals: the decisions. */
  RestoreCoordinator coord;
  std::unique_ptr<EncoderChain> chain;
  std::uint64_t next_session_id = 1;
  ControlLoop::TimerId tick_timer = 0;
  ControlLoop::TimerId failback_timer = 0;
  ControlLoop::TimerId drain_timer = 0;
  bool started = false;
  bool stopping = false;
  bool eos_posted = false;
  bool fatal = false;
  /* The recording (restore/recording.h): splitmuxsink and branches. */
  resilient::gst::Recording recording;
  bool recording_eos = false;
  /* Recording failed (unwritable, disk full): its branches are gone and a
   * timer tries again every RECORDING_RETRY_MS. */
  bool recording_failed = false;
  ControlLoop::TimerId recording_timer = 0;
  bool draining_eos = false;
  GNetworkMonitor *monitor = nullptr;
  gulong monitor_handler = 0;
  GCancellable *probe_cancel = nullptr;
  /* TCP probes started and not finished: their callbacks (on the loop's
   * context) own a socket and a reference to the element, so the loop is
   * not stopped before they have run. */
  int probes_in_flight = 0;
  /* A session waits for the first caps of a swapped encoder. */
  std::optional<size_t> pending_start;
};

struct _GstAutoRestoreSink
{
  GstBin parent;
  GstAutoRestoreSinkPrivate *priv;
};

#define gst_auto_restore_sink_parent_class parent_class
G_DEFINE_TYPE (GstAutoRestoreSink, gst_auto_restore_sink, GST_TYPE_BIN);
GST_ELEMENT_REGISTER_DEFINE (autorestoresink, "autorestoresink", GST_RANK_NONE,
                             GST_TYPE_AUTO_RESTORE_SINK);

static GstStaticPadTemplate video_template = GST_STATIC_PAD_TEMPLATE (
    "video", GST_PAD_SINK, GST_PAD_ALWAYS,
    GST_STATIC_CAPS ("video/x-raw(ANY); video/x-h264; video/x-h265; "
                     "video/x-vp8"));

static GstStaticPadTemplate audio_template = GST_STATIC_PAD_TEMPLATE (
    "audio", GST_PAD_SINK, GST_PAD_ALWAYS,
    GST_STATIC_CAPS ("audio/x-raw(ANY); audio/mpeg, mpegversion=(int)4; "
                     "audio/x-opus"));

/* Forward declarations of loop-side functions. */
static void start_session (GstAutoRestoreSink *self, size_t slot_idx,
                           bool failback);
static void fail_session (GstAutoRestoreSink *self, std::shared_ptr<Session> s,
                          FailureKind kind, const std::string &reason,
                          bool accepted, bool closed_by_peer);
static void update_status (GstAutoRestoreSink *self);
static void schedule_tick (GstAutoRestoreSink *self);
static void finish_eos_if_done (GstAutoRestoreSink *self);
static void schedule_probe (GstAutoRestoreSink *self, size_t idx);

/* ------------------------------------------------------------ helpers */

/* The loop-only state of GstAutoRestoreSinkPrivate is read and written on
 * the element's ControlLoop thread only. */
#define RETURN_IF_NOT_ON_LOOP(self)                                            \
  g_return_if_fail ((self)->priv->loop.on_loop_thread ())
#define RETURN_IF_NOT_ON_LOOP_VAL(self, val)                                   \
  g_return_val_if_fail ((self)->priv->loop.on_loop_thread (), (val))

static GstClock *
control_clock (GstAutoRestoreSink *self)
{
  GstClock *c = gst_element_get_clock (GST_ELEMENT (self));
  if (!c)
    c = gst_system_clock_obtain ();
  return c;
}

static TimePoint
now_of (GstAutoRestoreSink *self)
{
  GstClock *c = control_clock (self);
  GstClockTime t = gst_clock_get_time (c);
  gst_object_unref (c);
  return from_ns (t);
}

static ControlLoop::TimerId
schedule_in_ms (GstAutoRestoreSink *self, std::int64_t ms_,
                ControlLoop::Task task)
{
  GstClock *c = control_clock (self);
  auto id = self->priv->loop.schedule_in (
      c, (GstClockTime)std::max<std::int64_t> (ms_, 0) * GST_MSECOND,
      std::move (task));
  gst_object_unref (c);
  return id;
}

static std::vector<std::string>
split (const std::string &s, const char *seps)
{
  std::vector<std::string> out;
  size_t i = 0;
  while (i < s.size ()) {
    size_t j = s.find_first_of (seps, i);
    if (j == std::string::npos)
      j = s.size ();
    if (j > i)
      out.push_back (s.substr (i, j - i));
    i = j + 1;
  }
  return out;
}

/* Posts `<element>-<event>` with the common fields. */
static void
post_event (GstAutoRestoreSink *self, const char *event, GstStructure *s)
{
  gchar *name = g_strdup_printf ("autorestoresink-%s", event);
  gst_structure_set_name (s, name);
  g_free (name);
  resilient::gst::post_element_message (GST_ELEMENT (self), s);
}

/* Copies what the fronts produce into the statistics (loop only). */
static void
sync_front_stats (GstAutoRestoreSink *self)
{
  auto *priv = self->priv;
  std::lock_guard<std::mutex> g (priv->lock);
  priv->stats.video_codec = priv->video.codec;
  priv->stats.video_encoder = priv->video.encoder_name;
  priv->stats.audio_codec = priv->audio.codec;
}

static std::string
codec_of_caps (const GstCaps *caps)
{
  if (!caps || gst_caps_get_size (caps) == 0)
    return {};
  const char *name = gst_structure_get_name (gst_caps_get_structure (caps, 0));
  if (!strcmp (name, "video/x-h264"))
    return "h264";
  if (!strcmp (name, "video/x-h265"))
    return "h265";
  if (!strcmp (name, "video/x-vp8"))
    return "vp8";
  if (!strcmp (name, "video/x-vp9"))
    return "vp9";
  if (!strcmp (name, "audio/mpeg"))
    return "aac";
  if (!strcmp (name, "audio/x-opus"))
    return "opus";
  return name;
}

/* The codec an encoder factory produces, from its src pad template. */
static std::string
codec_of_factory (const std::string &factory_name)
{
  GstElementFactory *f = gst_element_factory_find (factory_name.c_str ());
  if (!f)
    return {};
  std::string codec;
  for (const GList *l = gst_element_factory_get_static_pad_templates (f); l;
       l = l->next) {
    auto *t = static_cast<GstStaticPadTemplate *> (l->data);
    if (t->direction != GST_PAD_SRC)
      continue;
    GstCaps *caps = gst_static_pad_template_get_caps (t);
    codec = codec_of_caps (caps);
    gst_caps_unref (caps);
    break;
  }
  gst_object_unref (f);
  return codec;
}

static const char *
parser_for_codec (const std::string &codec)
{
  if (codec == "h264")
    return "h264parse";
  if (codec == "h265")
    return "h265parse";
  if (codec == "aac")
    return "aacparse";
  if (codec == "opus")
    return "opusparse";
  if (codec == "vp8")
    return nullptr;
  return nullptr;
}

static void
set_if_exists (GstElement *e, const char *prop, const char *value)
{
  if (g_object_class_find_property (G_OBJECT_GET_CLASS (e), prop))
    gst_util_set_object_arg (G_OBJECT (e), prop, value);
}

/* Applies bitrate (kbit/s) and keyframe interval (frames) in each known
 * encoder's own units. */
/* A destination is WHIP: H264 must be Constrained Baseline there (what
 * the offer's profile-level-id 42e01f announces and browsers decode). */
static bool
publishes_whip (const std::string &locations)
{
  for (const char *scheme : { "whip://", "whips://", "http://", "https://" })
    if (locations.find (scheme) != std::string::npos)
      return true;
  return false;
}

static void
configure_video_encoder (GstElement *enc, const std::string &factory,
                         guint kbps, guint gop_frames,
                         bool constrained_baseline = false)
{
  std::string k = std::to_string (kbps);
  std::string bps = std::to_string ((guint64)kbps * 1000);
  std::string g = std::to_string (gop_frames);
  if (factory == "x264enc") {
    set_if_exists (enc, "bitrate", k.c_str ());
    set_if_exists (enc, "key-int-max", g.c_str ());
    set_if_exists (enc, "tune", "zerolatency");
    set_if_exists (enc, "speed-preset", "veryfast");
    if (constrained_baseline)
      set_if_exists (enc, "option-string",
                     "weightp=0:cabac=0:8x8dct=0:bframes=0");
  } else if (factory == "vp8enc" || factory == "vp9enc") {
    set_if_exists (enc, "target-bitrate", bps.c_str ());
    set_if_exists (enc, "keyframe-max-dist", g.c_str ());
    set_if_exists (enc, "deadline", "1");
  } else if (factory == "openh264enc") {
    set_if_exists (enc, "bitrate", bps.c_str ());
    set_if_exists (enc, "gop-size", g.c_str ());
  } else {
    /* va, vaapi, nv, v4l2 and most others: kbit/s and key-int-max. */
    set_if_exists (enc, "bitrate", k.c_str ());
    set_if_exists (enc, "key-int-max", g.c_str ());
  }
}

static void
configure_audio_encoder (GstElement *enc, guint kbps)
{
  GParamSpec *p
      = g_object_class_find_property (G_OBJECT_GET_CLASS (enc), "bitrate");
  if (!p)
    return;
  std::string bps = std::to_string ((guint64)kbps * 1000);
  gst_util_set_object_arg (G_OBJECT (enc), "bitrate", bps.c_str ());
}

/* ---------------------------------------------------- streaming side */

static void maybe_start_publishing (GstAutoRestoreSink *self);

static GstFlowReturn
on_new_sample (GstAppSink *sink, gpointer user_data)
{
  auto *self = GST_AUTO_RESTORE_SINK (user_data);
  auto *priv = self->priv;
  GstSample *sample = gst_app_sink_pull_sample (sink);
  if (!sample)
    return GST_FLOW_OK;
  Front &f
      = (GST_ELEMENT (sink) == priv->video.appsink) ? priv->video : priv->audio;
  GstBuffer *in = gst_sample_get_buffer (sample);
  const GstSegment *seg = gst_sample_get_segment (sample);
  GstCaps *caps = gst_sample_get_caps (sample);
  if (!in) {
    gst_sample_unref (sample);
    return GST_FLOW_OK;
  }
  /* Sessions use a 0-based segment: stamp the upstream running time. */
  GstBuffer *buf = gst_buffer_copy (in);
  if (seg && seg->format == GST_FORMAT_TIME) {
    guint64 rt;
    if (GST_BUFFER_PTS_IS_VALID (buf)) {
      if (gst_segment_to_running_time_full (seg, GST_FORMAT_TIME,
                                            GST_BUFFER_PTS (buf), &rt)
          > 0)
        GST_BUFFER_PTS (buf) = rt;
      else
        GST_BUFFER_PTS (buf) = 0;
    }
    if (GST_BUFFER_DTS_IS_VALID (buf)) {
      if (gst_segment_to_running_time_full (seg, GST_FORMAT_TIME,
                                            GST_BUFFER_DTS (buf), &rt)
          > 0)
        GST_BUFFER_DTS (buf) = rt;
      else
        GST_BUFFER_DTS (buf) = GST_CLOCK_TIME_NONE;
    }
  }
  const gsize size = gst_buffer_get_size (buf);
  f.bytes_in += size;
  f.buffers_in++;
  GstClockTime ts = GST_BUFFER_DTS_IS_VALID (buf) ? GST_BUFFER_DTS (buf)
                                                  : GST_BUFFER_PTS (buf);
  bool key
      = f.video && !GST_BUFFER_FLAG_IS_SET (buf, GST_BUFFER_FLAG_DELTA_UNIT);

  bool first_caps = false;
  {
    std::lock_guard<std::mutex> g (priv->lock);
    first_caps = caps && !f.caps;
    if (caps && (!f.caps || !gst_caps_is_equal (caps, f.caps))) {
      gst_caps_replace (&f.caps, caps);
      for (auto &s : priv->sessions)
        if (s->feeding)
          s->set_caps (f.video, caps);
    }
    for (auto &s : priv->sessions)
      if (s->feeding)
        s->push (f.video, buf);
    HeldQueue::Item item{ gst_buffer_ref (buf),
                          from_ns (GST_CLOCK_TIME_IS_VALID (ts) ? ts : 0), size,
                          key, f.video };
    priv->hold.push (std::move (item),
                     [] (GstBuffer *&b) { gst_buffer_unref (b); });
  }
  gst_buffer_unref (buf);
  gst_sample_unref (sample);
  if (first_caps) {
    /* The first encoded caps of this stream: a session can be built once
     * every linked stream has them. */
    priv->loop.post (
        [keep = SelfRef (self)] { maybe_start_publishing (keep.p); });
  }
  return GST_FLOW_OK;
}

static void on_front_eos (GstAutoRestoreSink *self, bool video);

static void
on_appsink_eos (GstAppSink *sink, gpointer user_data)
{
  auto *self = GST_AUTO_RESTORE_SINK (user_data);
  bool video = GST_ELEMENT (sink) == self->priv->video.appsink;
  self->priv->loop.post (
      [keep = SelfRef (self), video] { on_front_eos (keep.p, video); });
}

/* -------------------------------------------- running encoder failures */

/* An encoder that fails after it started (an ERROR it posts, or an error
 * or not-negotiated flow return out of its chain) must not stop the
 * front: its flow error would pause the entry queue and reach upstream.
 * The encoder's sink pad chain function is wrapped: an error return is
 * turned into OK (the buffer is dropped) and from then on every buffer is
 * dropped until the loop has swapped the encoder out. The guard is the
 * pad's chain data and goes with the pad; the encoder element carries a
 * pointer to it (qdata) so that its ERROR messages are recognised. */
struct EncoderGuard
{
  GstAutoRestoreSink *self = nullptr; /* not reffed: the encoder is ours */
  GstPadChainFunction chain = nullptr;
  std::atomic<bool> tripped{ false };
};

static GQuark
encoder_guard_quark (void)
{
  static GQuark q = g_quark_from_static_string ("autorestoresink-guard");
  return q;
}

static void on_encoder_failed (GstAutoRestoreSink *self, GstElement *enc,
                               const std::string &why);

/* First failure of a guarded encoder: hand it to the loop (any thread). */
static void
trip_encoder_guard (EncoderGuard *g, GstElement *enc, const std::string &why)
{
  if (g->tripped.exchange (true))
    return;
  GstAutoRestoreSink *self = g->self;
  self->priv->loop.post ([keep = SelfRef (self),
                          e = resilient::gst::SelfRef<GstElement> (enc),
                          why] { on_encoder_failed (keep.p, e.p, why); });
}

static GstFlowReturn
guarded_chain (GstPad *pad, GstObject *parent, GstBuffer *buf)
{
  auto *g = static_cast<EncoderGuard *> (pad->chaindata);
  if (g->tripped) {
    gst_buffer_unref (buf);
    return GST_FLOW_OK;
  }
  GstFlowReturn r = g->chain (pad, parent, buf);
  if (r <= GST_FLOW_NOT_NEGOTIATED) {
    trip_encoder_guard (g, GST_ELEMENT (parent),
                        std::string ("flow return '") + gst_flow_get_name (r)
                            + "'");
    return GST_FLOW_OK;
  }
  return r;
}

static void
guard_encoder (GstAutoRestoreSink *self, GstElement *enc)
{
  GstPad *pad = gst_element_get_static_pad (enc, "sink");
  if (!pad)
    return;
  if (GST_PAD_CHAINFUNC (pad) && GST_PAD_CHAINFUNC (pad) != guarded_chain) {
    auto *g = new EncoderGuard ();
    g->self = self;
    g->chain = GST_PAD_CHAINFUNC (pad);
    g_object_set_qdata (G_OBJECT (enc), encoder_guard_quark (), g);
    gst_pad_set_chain_function_full (pad, guarded_chain, g, [] (gpointer p) {
      delete static_cast<EncoderGuard *> (p);
    });
  }
  gst_object_unref (pad);
}

/* The guarded encoder an object (a message source) belongs to. */
static GstElement *
guarded_encoder_of (GstObject *obj, EncoderGuard **guard)
{
  for (GstObject *o = obj; o; o = GST_OBJECT_PARENT (o)) {
    if (!GST_IS_ELEMENT (o))
      continue;
    auto *g = static_cast<EncoderGuard *> (
        g_object_get_qdata (G_OBJECT (o), encoder_guard_quark ()));
    if (g) {
      *guard = g;
      return GST_ELEMENT (o);
    }
  }
  return nullptr;
}

/* -------------------------------------------------------- front build */

static GstElement *
make_element (const char *factory, std::string &error)
{
  GstElement *e = gst_element_factory_make (factory, nullptr);
  if (!e && error.empty ())
    error = std::string ("element '") + factory
            + "' is missing: install the GStreamer plugin that provides it";
  return e;
}

/* Whether the candidate's encoder is installed. */
static bool
encoder_available (const EncoderCandidate &c)
{
  GstElementFactory *f = gst_element_factory_find (c.factory.c_str ());
  if (f)
    gst_object_unref (f);
  return f != nullptr;
}

/* Creates the encoder for the chain's current candidate, trying the next
 * ones while a candidate fails to start. Returns null with `error` when
 * none works. Runs on the loop. */
static GstElement *
make_working_video_encoder (GstAutoRestoreSink *self, GstCaps *in_caps,
                            std::string &factory, std::string &error)
{
  auto *priv = self->priv;
  gint fps_n = 30, fps_d = 1;
  if (in_caps && gst_caps_get_size (in_caps) > 0)
    gst_structure_get_fraction (gst_caps_get_structure (in_caps, 0),
                                "framerate", &fps_n, &fps_d);
  if (fps_n <= 0 || fps_d <= 0) {
    fps_n = 30;
    fps_d = 1;
  }
  guint gop
      = std::max<guint> (1, (guint)((guint64)priv->run.keyframe_interval_ms
                                    * fps_n / (1000 * fps_d)));
  priv->video.gop_frames = gop;
  auto available = encoder_available;
  std::optional<EncoderCandidate> cand = priv->chain->current ();
  if (!cand)
    cand = priv->chain->first (available);
  while (cand) {
    GstElement *enc
        = gst_element_factory_make (cand->factory.c_str (), nullptr);
    if (enc) {
      configure_video_encoder (enc, cand->factory, priv->run.video_bitrate, gop,
                               publishes_whip (priv->run.location));
      /* Open it on its own first: a hardware encoder without its device
       * fails here, before it is linked into the running front. */
      if (gst_element_set_state (enc, GST_STATE_PAUSED)
          != GST_STATE_CHANGE_FAILURE) {
        gst_element_set_state (enc, GST_STATE_NULL);
        factory = cand->factory;
        return enc;
      }
      gst_element_set_state (enc, GST_STATE_NULL);
      gst_object_unref (enc);
    }
    std::string failed = cand->factory;
    cand = priv->chain->on_start_failure (available);
    GST_WARNING_OBJECT (self, "video encoder %s failed to start, next: %s",
                        failed.c_str (),
                        cand ? cand->factory.c_str () : "none");
    {
      std::lock_guard<std::mutex> g (priv->lock);
      priv->stats.encoder_changes++;
    }
    post_event (self, "encoder-changed",
                gst_structure_new (
                    "x", "from", G_TYPE_STRING, failed.c_str (), "to",
                    G_TYPE_STRING, cand ? cand->factory.c_str () : "", "codec",
                    G_TYPE_STRING, cand ? cand->codec.c_str () : "", "reason",
                    G_TYPE_STRING, "failed-to-start", nullptr));
  }
  error = "no usable video encoder among '" + priv->run.video_encoder
          + "': install one (x264enc is in gstreamer1.0-plugins-ugly) or set "
            "video-encoder";
  return nullptr;
}

/* ---------------------------------------------------------- recording */

static void on_recording_failed (GstAutoRestoreSink *self,
                                 const std::string &location,
                                 const std::string &why);
static bool setup_recording (GstAutoRestoreSink *self, std::string &error);
static void request_keyframe (GstAutoRestoreSink *self);

/* Takes the recording down: every branch and the splitmuxsink (loop). */
static void
teardown_recording (GstAutoRestoreSink *self)
{
  RETURN_IF_NOT_ON_LOOP (self);
  self->priv->recording.close ();
}

/* The recording branch of one built front (loop). */
static bool
build_recording_branch (GstAutoRestoreSink *self, Front &f)
{
  RETURN_IF_NOT_ON_LOOP_VAL (self, false);
  return self->priv->recording.add_stream (f.tee, f.video,
                                           parser_for_codec (f.codec));
}

static void schedule_recording_retry (GstAutoRestoreSink *self);

static void
try_resume_recording (GstAutoRestoreSink *self)
{
  RETURN_IF_NOT_ON_LOOP (self);
  auto *priv = self->priv;
  priv->recording_timer = 0;
  if (!priv->recording_failed || !priv->started || priv->stopping
      || priv->draining_eos)
    return;
  std::string why, error;
  if (!resilient::gst::Recording::writable (priv->run.recording_location,
                                            why)) {
    GST_DEBUG_OBJECT (self, "recording still cannot write: %s", why.c_str ());
    schedule_recording_retry (self);
    return;
  }
  bool ok = setup_recording (self, error);
  /* Added to a running bin: started here, before media comes. */
  ok = ok && gst_element_sync_state_with_parent (priv->recording.muxer ());
  for (Front *f : { &priv->video, &priv->audio })
    if (ok && f->built && f->tee)
      ok = build_recording_branch (self, *f);
  if (!ok) {
    GST_WARNING_OBJECT (self, "cannot rebuild the recording: %s",
                        error.c_str ());
    teardown_recording (self);
    schedule_recording_retry (self);
    return;
  }
  priv->recording_failed = false;
  priv->recording.set_blocked (false);
  request_keyframe (self);
  const guint index = priv->recording.clips_opened ();
  GST_INFO_OBJECT (self, "recording resumed with clip %u", index);
  post_event (self, "recording-resumed",
              gst_structure_new ("x", "location", G_TYPE_STRING,
                                 priv->run.recording_location.c_str (), "index",
                                 G_TYPE_UINT, index, nullptr));
}

static void
schedule_recording_retry (GstAutoRestoreSink *self)
{
  auto *priv = self->priv;
  if (priv->recording_timer)
    return;
  priv->recording_timer
      = schedule_in_ms (self, RECORDING_RETRY_MS, [keep = SelfRef (self)] {
          try_resume_recording (keep.p);
        });
}

/* The recording failed (loop): a WARNING and a message, publishing goes on
 * and the recording tries again with a new clip. */
static void
on_recording_failed (GstAutoRestoreSink *self, const std::string &location,
                     const std::string &why)
{
  RETURN_IF_NOT_ON_LOOP (self);
  auto *priv = self->priv;
  if (priv->recording_failed || !priv->recording.is_open ()) {
    priv->recording.set_blocked (priv->recording_failed);
    return;
  }
  priv->recording_failed = true;
  priv->recording.set_blocked (true);
  teardown_recording (self);
  {
    std::lock_guard<std::mutex> g (priv->lock);
    priv->stats.recording_failures++;
  }
  const std::string where
      = location.empty () ? priv->run.recording_location : location;
  GST_ELEMENT_WARNING (self, RESOURCE, WRITE,
                       ("Recording to %s failed, publishing goes on: %s",
                        where.c_str (), why.c_str ()),
                       ("the recording tries again every %d ms with a new "
                        "clip",
                        RECORDING_RETRY_MS));
  post_event (self, "recording-failed",
              gst_structure_new ("x", "location", G_TYPE_STRING, where.c_str (),
                                 "message", G_TYPE_STRING, why.c_str (),
                                 nullptr));
  /* The drain at EOS does not wait for a recording that is gone. */
  finish_eos_if_done (self);
  schedule_recording_retry (self);
}

/* Builds the front of one stream behind its entry queue for `caps`.
 * Runs on the loop while the entry queue's thread waits in the caps probe
 * (so the queue's src pad is linked before any buffer leaves it). */
static bool
build_front (GstAutoRestoreSink *self, Front &f, GstCaps *caps,
             std::string &error)
{
  auto *priv = self->priv;
  GstBin *bin = GST_BIN (self);
  const GstStructure *st = gst_caps_get_structure (caps, 0);
  const char *name = gst_structure_get_name (st);
  f.raw = g_str_has_prefix (name, f.video ? "video/x-raw" : "audio/x-raw");
  std::vector<GstElement *> chain;
  std::string codec;

  if (f.raw && f.video) {
    GstElement *conv = make_element ("videoconvert", error);
    std::string factory;
    GstElement *enc
        = conv ? make_working_video_encoder (self, caps, factory, error)
               : nullptr;
    if (!enc) {
      if (conv)
        gst_object_unref (conv);
      return false;
    }
    codec = codec_of_factory (factory);
    /* 8-bit 4:2:0, which every decoder and ingest takes: left open, an
     * encoder such as x264enc picks 4:4:4 or 10-bit and may change its
     * choice on a renegotiation. */
    GstElement *filter = gst_element_factory_make ("capsfilter", nullptr);
    GstCaps *fmt
        = gst_caps_from_string ("video/x-raw, format=(string){ I420, NV12 }");
    g_object_set (filter, "caps", fmt, nullptr);
    gst_caps_unref (fmt);
    chain.push_back (conv);
    chain.push_back (filter);
    chain.push_back (enc);
    f.encoder = enc;
    f.encoder_name = factory;
    guard_encoder (self, enc);
  } else if (f.raw) {
    GstElement *conv = make_element ("audioconvert", error);
    GstElement *res = make_element ("audioresample", error);
    GstElement *enc = nullptr;
    std::string factory;
    std::string audio_encoders = priv->run.audio_encoder;
    /* WHIP carries Opus, not AAC: with the default encoders and only WHIP
     * destinations, Opus. */
    bool only_whip = true;
    for (auto &u : split (priv->run.location, " \t\n"))
      only_whip = only_whip && publishes_whip (u);
    if (only_whip && audio_encoders == DEFAULT_AUDIO_ENCODER)
      audio_encoders = "opusenc";
    for (auto &n : split (audio_encoders, ", ")) {
      enc = gst_element_factory_make (n.c_str (), nullptr);
      if (enc) {
        factory = n;
        break;
      }
    }
    if (!conv || !res || !enc) {
      if (!enc && error.empty ())
        error = "no usable audio encoder among '" + priv->run.audio_encoder
                + "': install one (voaacenc, avenc_aac) or set audio-encoder";
      for (auto *e : { conv, res, enc })
        if (e)
          gst_object_unref (e);
      return false;
    }
    configure_audio_encoder (enc, priv->run.audio_bitrate);
    codec = codec_of_factory (factory);
    chain.push_back (conv);
    chain.push_back (res);
    chain.push_back (enc);
    f.encoder = enc;
    f.encoder_name = factory;
    guard_encoder (self, enc);
  } else {
    codec = codec_of_caps (caps);
    f.encoder_name = "";
  }
  if (const char *p = parser_for_codec (codec)) {
    GstElement *parser = make_element (p, error);
    if (!parser) {
      for (auto *e : chain)
        gst_object_unref (e);
      return false;
    }
    /* Codec headers with every keyframe: a new session can start at any
     * keyframe. */
    if (g_object_class_find_property (G_OBJECT_GET_CLASS (parser),
                                      "config-interval"))
      g_object_set (parser, "config-interval", -1, nullptr);
    chain.push_back (parser);
  }
  GstElement *tee = make_element ("tee", error);
  GstElement *q = make_element ("queue", error);
  if (!tee || !q) {
    for (auto *e : chain)
      gst_object_unref (e);
    return false;
  }
  g_object_set (tee, "allow-not-linked", TRUE, nullptr);
  /* Leaky: the publishing side can never push back on the encoder. */
  g_object_set (q, "leaky", 2, "max-size-buffers", 0, "max-size-bytes", 0,
                "max-size-time", (guint64)2 * GST_SECOND, nullptr);
  chain.push_back (tee);
  chain.push_back (q);

  for (auto *e : chain)
    gst_bin_add (bin, e);
  GstElement *prev = f.entry;
  bool ok = true;
  for (auto *e : chain) {
    ok = ok && gst_element_link (prev, e);
    prev = e;
  }
  ok = ok && gst_element_link (q, f.appsink);

  if (!ok) {
    error = std::string ("cannot build the ") + (f.video ? "video" : "audio")
            + " front for caps " + name;
    return false;
  }
  /* Downstream first so nothing is pushed into an element not yet
   * running. */
  for (auto it = chain.rbegin (); it != chain.rend (); ++it) {
    if (gst_element_sync_state_with_parent (*it) == FALSE) {
      error = std::string ("element ") + GST_ELEMENT_NAME (*it)
              + " failed to start";
      return false;
    }
  }
  f.chain = chain;
  f.tee = tee;
  f.codec = codec;
  f.built = true;
  sync_front_stats (self);
  /* A recording that cannot be linked is a recording failure (a WARNING,
   * retried), not a reason to stop publishing. */
  if (priv->recording.is_open () && !build_recording_branch (self, f))
    priv->recording.trip ("", std::string ("cannot link the recording of the ")
                                  + (f.video ? "video" : "audio") + " stream");
  return true;
}

static void maybe_start_publishing (GstAutoRestoreSink *self);

static void report_fatal (GstAutoRestoreSink *self, const std::string &reason,
                          bool local, const std::string &destination);

static GstPadProbeReturn
entry_caps_probe (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  auto *self = GST_AUTO_RESTORE_SINK (user_data);
  auto *priv = self->priv;
  GstEvent *ev = GST_PAD_PROBE_INFO_EVENT (info);
  if (GST_EVENT_TYPE (ev) != GST_EVENT_CAPS)
    return GST_PAD_PROBE_OK;
  Front &f
      = (GST_PAD_PARENT (pad) == priv->video.entry) ? priv->video : priv->audio;
  if (f.built)
    return GST_PAD_PROBE_OK;
  GstCaps *caps;
  gst_event_parse_caps (ev, &caps);
  gst_caps_ref (caps);
  bool ok = false;
  std::string error;
  Front *fp = &f;
  priv->loop.post_and_wait ([&] {
    ok = build_front (self, *fp, caps, error);
    if (!ok) {
      GST_ERROR_OBJECT (self, "%s", error.c_str ());
      report_fatal (self, error, true, "");
    }
  });
  gst_caps_unref (caps);
  if (!ok)
    return GST_PAD_PROBE_OK;
  priv->loop.post (
      [keep = SelfRef (self)] { maybe_start_publishing (keep.p); });
  return GST_PAD_PROBE_OK;
}

static void
init_front (GstAutoRestoreSink *self, Front &f, bool video)
{
  f.video = video;
  f.entry = gst_element_factory_make ("queue",
                                      video ? "video_entry" : "audio_entry");
  /* The entry queue takes the encoder off the upstream thread: a push
   * from upstream returns as soon as the buffer is queued. Leaky, so even
   * a stalled encoder cannot block upstream. */
  g_object_set (f.entry, "leaky", 2, "max-size-buffers", 0, "max-size-bytes", 0,
                "max-size-time", (guint64)GST_SECOND, nullptr);
  f.appsink
      = gst_element_factory_make ("appsink", video ? "video_out" : "audio_out");
  g_object_set (f.appsink, "sync", FALSE, "async", FALSE, "enable-last-sample",
                FALSE, "max-buffers", 64, "drop", TRUE, "wait-on-eos", FALSE,
                nullptr);
  GstAppSinkCallbacks cb = {};
  cb.eos = on_appsink_eos;
  cb.new_sample = on_new_sample;
  gst_app_sink_set_callbacks (GST_APP_SINK (f.appsink), &cb, self, nullptr);
  gst_bin_add_many (GST_BIN (self), f.entry, f.appsink, nullptr);

  GstPad *target = gst_element_get_static_pad (f.entry, "sink");
  GstPadTemplate *tmpl
      = gst_static_pad_template_get (video ? &video_template : &audio_template);
  f.ghost = gst_ghost_pad_new_from_template (video ? "video" : "audio", target,
                                             tmpl);
  gst_object_unref (tmpl);
  gst_object_unref (target);
  gst_element_add_pad (GST_ELEMENT (self), f.ghost);

  GstPad *src = gst_element_get_static_pad (f.entry, "src");
  gst_pad_add_probe (src, GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM, entry_caps_probe,
                     self, nullptr);
  gst_object_unref (src);
}

/* Removes what build_front() added (READY->NULL), so the next run builds
 * for its own caps. */
static void
teardown_front (GstAutoRestoreSink *self, Front &f)
{
  for (auto *e : f.chain) {
    gst_element_set_state (e, GST_STATE_NULL);
    gst_bin_remove (GST_BIN (self), e);
  }
  f.chain.clear ();
  f.encoder = nullptr;
  f.tee = nullptr;
  f.built = false;
  f.eos = false;
  f.codec.clear ();
  f.encoder_name.clear ();
  sync_front_stats (self);
  std::lock_guard<std::mutex> g (self->priv->lock);
  gst_caps_replace (&f.caps, nullptr);
}

/* Asks the encoder (or upstream, for encoded input) for a keyframe now. */
static void
request_keyframe (GstAutoRestoreSink *self)
{
  GstPad *pad = gst_element_get_static_pad (self->priv->video.appsink, "sink");
  if (!pad)
    return;
  /* Pushed on a sink pad, an upstream event goes to its peer, up through
   * the parser to the encoder (or upstream of the element). */
  gst_pad_push_event (pad, gst_video_event_new_upstream_force_key_unit (
                               GST_CLOCK_TIME_NONE, TRUE, 0));
  gst_object_unref (pad);
}

/* ------------------------------------------------- running codec swap */

struct BlockCtx
{
  std::mutex m;
  std::condition_variable cv;
  bool blocked = false;
};

static GstPadProbeReturn
block_cb (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  auto *ctx = static_cast<BlockCtx *> (user_data);
  std::lock_guard<std::mutex> g (ctx->m);
  ctx->blocked = true;
  ctx->cv.notify_all ();
  return GST_PAD_PROBE_OK;
}

/* Puts `enc` (opened, configured, for candidate `cand`) in place of the
 * video encoder and its parser in the running front, while the entry
 * queue's output is blocked between two buffers: upstream keeps pushing
 * into the leaky entry queue meanwhile. The hold queue and the encoded
 * caps are cleared: media of the old encoder can start no session any
 * more, and a waiting session starts on the new encoder's first caps. Runs
 * on the loop. */
static bool
replace_video_encoder (GstAutoRestoreSink *self, GstElement *enc,
                       const EncoderCandidate &cand)
{
  auto *priv = self->priv;
  Front &f = priv->video;
  GstElement *parser = nullptr;
  if (const char *p = parser_for_codec (cand.codec)) {
    parser = gst_element_factory_make (p, nullptr);
    if (parser
        && g_object_class_find_property (G_OBJECT_GET_CLASS (parser),
                                         "config-interval"))
      g_object_set (parser, "config-interval", -1, nullptr);
  }

  /* Block the entry queue's output between two buffers. */
  GstPad *block_pad = gst_element_get_static_pad (f.entry, "src");
  BlockCtx ctx;
  gulong probe
      = gst_pad_add_probe (block_pad,
                           (GstPadProbeType)(GST_PAD_PROBE_TYPE_BLOCK_DOWNSTREAM
                                             | GST_PAD_PROBE_TYPE_IDLE),
                           block_cb, &ctx, nullptr);
  {
    std::unique_lock<std::mutex> lk (ctx.m);
    ctx.cv.wait_for (lk, std::chrono::seconds (2), [&] { return ctx.blocked; });
  }

  auto it = std::find (f.chain.begin (), f.chain.end (), f.encoder);
  GstElement *before = *(it - 1);
  std::vector<GstElement *> old;
  for (auto j = it; j != f.chain.end () && *j != f.tee; ++j)
    old.push_back (*j);
  for (auto *e : old) {
    gst_element_set_state (e, GST_STATE_NULL);
    gst_bin_remove (GST_BIN (self), e);
  }
  guard_encoder (self, enc);
  gst_bin_add (GST_BIN (self), enc);
  if (parser)
    gst_bin_add (GST_BIN (self), parser);
  bool ok = gst_element_link (before, enc);
  ok = ok
       && (parser ? gst_element_link_many (enc, parser, f.tee, nullptr)
                  : gst_element_link (enc, f.tee));
  if (parser)
    gst_element_sync_state_with_parent (parser);
  gst_element_sync_state_with_parent (enc);
  /* New chain: [... before, enc, parser?, tee, ...]. */
  auto pos = f.chain.erase (it, it + old.size ());
  pos = f.chain.insert (pos, enc) + 1;
  if (parser)
    f.chain.insert (pos, parser);
  f.encoder = enc;
  f.encoder_name = cand.factory;
  f.codec = cand.codec;
  {
    std::lock_guard<std::mutex> g (priv->lock);
    priv->hold.clear ([] (GstBuffer *&b) { gst_buffer_unref (b); });
    gst_caps_replace (&f.caps, nullptr);
  }
  sync_front_stats (self);
  gst_pad_remove_probe (block_pad, probe);
  gst_object_unref (block_pad);
  if (!ok)
    GST_ERROR_OBJECT (self, "cannot link the %s encoder",
                      cand.factory.c_str ());
  return ok;
}

/* Replaces the video encoder (and its parser) of the running front with
 * the first encoder of another codec that `accepted` takes. Returns the
 * new encoder's codec, or an empty string when no swap was possible. */
static std::string
swap_video_codec (GstAutoRestoreSink *self,
                  const std::function<bool (const std::string &)> &accepted,
                  const char *reason)
{
  auto *priv = self->priv;
  Front &f = priv->video;
  if (!f.raw || !f.encoder || !f.tee || priv->recording.is_open ()
      || !priv->chain)
    return {};
  auto available = encoder_available;
  const std::string from_codec = f.codec;
  /* Ask the chain only when some encoder could answer: asking marks the
   * current codec as failed. */
  bool any = false;
  for (auto &n :
       split (priv->run.video_encoder + "," + priv->run.fallback_video_encoder,
              ", ")) {
    std::string c = codec_of_factory (n);
    any = any || (!c.empty () && c != from_codec && accepted (c));
  }
  if (!any)
    return {};
  auto cand = priv->chain->on_codec_failure (available, accepted);
  if (!cand)
    return {};
  GstElement *enc = gst_element_factory_make (cand->factory.c_str (), nullptr);
  if (!enc)
    return {};
  configure_video_encoder (enc, cand->factory, priv->run.video_bitrate,
                           f.gop_frames, publishes_whip (priv->run.location));
  bool ok = replace_video_encoder (self, enc, *cand);
  {
    std::lock_guard<std::mutex> g (priv->lock);
    priv->stats.codec_changes++;
  }
  if (!ok)
    return {};
  GST_INFO_OBJECT (self, "video codec %s -> %s (%s)", from_codec.c_str (),
                   cand->codec.c_str (), reason);
  post_event (self, "codec-changed",
              gst_structure_new ("x", "from", G_TYPE_STRING,
                                 from_codec.c_str (), "to", G_TYPE_STRING,
                                 cand->codec.c_str (), "encoder", G_TYPE_STRING,
                                 cand->factory.c_str (), "reason",
                                 G_TYPE_STRING, reason, nullptr));
  return cand->codec;
}

/* A guarded encoder failed while running (loop). The video encoder is
 * replaced by the next one of the chain that opens, in the running front;
 * with none left (or for the audio encoder, which has no chain) one ERROR
 * names the encoder. */
static void
on_encoder_failed (GstAutoRestoreSink *self, GstElement *enc,
                   const std::string &why)
{
  auto *priv = self->priv;
  const bool video = enc == priv->video.encoder;
  Front &f = video ? priv->video : priv->audio;
  if (enc != f.encoder || !f.built || priv->stopping || priv->fatal)
    return;
  const std::string from = f.encoder_name;
  GST_WARNING_OBJECT (self, "%s encoder %s failed while running: %s",
                      video ? "video" : "audio", from.c_str (), why.c_str ());
  if (video && f.raw && f.tee && priv->chain) {
    auto available = encoder_available;
    std::string failed = from;
    std::string reason = "failed-while-running";
    auto cand = priv->chain->on_start_failure (available);
    while (cand) {
      GstElement *next = nullptr;
      /* A recording cannot change codec within a clip. */
      if (!priv->recording.is_open () || cand->codec == f.codec)
        next = gst_element_factory_make (cand->factory.c_str (), nullptr);
      if (next) {
        configure_video_encoder (next, cand->factory, priv->run.video_bitrate,
                                 f.gop_frames,
                                 publishes_whip (priv->run.location));
        if (gst_element_set_state (next, GST_STATE_PAUSED)
            != GST_STATE_CHANGE_FAILURE) {
          gst_element_set_state (next, GST_STATE_NULL);
        } else {
          gst_element_set_state (next, GST_STATE_NULL);
          gst_object_unref (next);
          next = nullptr;
        }
      }
      {
        std::lock_guard<std::mutex> g (priv->lock);
        priv->stats.encoder_changes++;
      }
      post_event (self, "encoder-changed",
                  gst_structure_new (
                      "x", "from", G_TYPE_STRING, failed.c_str (), "to",
                      G_TYPE_STRING, cand->factory.c_str (), "codec",
                      G_TYPE_STRING, cand->codec.c_str (), "reason",
                      G_TYPE_STRING, reason.c_str (), "message", G_TYPE_STRING,
                      failed == from ? why.c_str () : "", nullptr));
      if (next) {
        const std::string old_codec = f.codec;
        if (replace_video_encoder (self, next, *cand)) {
          GST_INFO_OBJECT (self, "video encoder %s -> %s after a failure",
                           from.c_str (), cand->factory.c_str ());
          if (cand->codec != old_codec) {
            {
              std::lock_guard<std::mutex> g (priv->lock);
              priv->stats.codec_changes++;
            }
            post_event (self, "codec-changed",
                        gst_structure_new (
                            "x", "from", G_TYPE_STRING, old_codec.c_str (),
                            "to", G_TYPE_STRING, cand->codec.c_str (),
                            "encoder", G_TYPE_STRING, cand->factory.c_str (),
                            "reason", G_TYPE_STRING, "encoder-failed",
                            nullptr));
          }
          request_keyframe (self);
          return;
        }
        break;
      }
      failed = cand->factory;
      reason = "failed-to-start";
      cand = priv->chain->on_start_failure (available);
    }
  }
  report_fatal (self,
                std::string (video ? "video" : "audio") + " encoder '" + from
                    + "' failed while running (" + why
                    + ") and no other encoder is left to take over: install "
                      "another one or add it to '"
                    + (video ? "video-encoder" : "audio-encoder") + "'",
                true, "");
}

/* ----------------------------------------------------------- sessions */

static Slot &
slot_of (GstAutoRestoreSink *self, size_t idx)
{
  return self->priv->slots[idx];
}

static void on_session_message (GstAutoRestoreSink *self, std::uint64_t id,
                                GstMessage *msg);

/* ERROR or EOS of a session (the thread that posted it): to the loop. */
static void
on_session_end (GstAutoRestoreSink *self, std::uint64_t id, GstMessage *msg)
{
  self->priv->loop.post ([keep = SelfRef (self), id, m = MessageRef (msg)] {
    on_session_message (keep.p, id, m.m);
  });
}

static void
destroy_session (GstAutoRestoreSink *self, std::shared_ptr<Session> s)
{
  RETURN_IF_NOT_ON_LOOP (self);
  auto *priv = self->priv;
  {
    std::lock_guard<std::mutex> g (priv->lock);
    s->feeding = false;
    priv->sessions.erase (
        std::remove (priv->sessions.begin (), priv->sessions.end (), s),
        priv->sessions.end ());
  }
  /* WHIP's DELETE must not hold the loop: the next session starts now. */
  s->teardown (!priv->stopping);
  for (auto &slot : priv->slots)
    if (slot.session == s)
      slot.session.reset ();
}

static void
report_fatal (GstAutoRestoreSink *self, const std::string &reason, bool local,
              const std::string &destination)
{
  RETURN_IF_NOT_ON_LOOP (self);
  auto *priv = self->priv;
  {
    std::lock_guard<std::mutex> g (priv->lock);
    priv->stats.last_failure = reason;
  }
  priv->fatal = true;
  post_event (self, "gave-up",
              gst_structure_new (
                  "x", "destination", G_TYPE_STRING, destination.c_str (),
                  "reason", G_TYPE_STRING, local ? "local-error" : "refused",
                  "message", G_TYPE_STRING, reason.c_str (), "fatal",
                  G_TYPE_BOOLEAN, TRUE, "tries", G_TYPE_INT, 0, nullptr));
  if (local)
    GST_ELEMENT_ERROR (self, CORE, FAILED, ("%s", reason.c_str ()),
                       ("autorestoresink does not retry local errors"));
  else
    GST_ELEMENT_ERROR (
        self, RESOURCE, NOT_AUTHORIZED, ("%s", reason.c_str ()),
        ("destination %s; autorestoresink does not retry a refusal",
         destination.c_str ()));
  update_status (self);
}

static void
start_session (GstAutoRestoreSink *self, size_t slot_idx, bool failback)
{
  RETURN_IF_NOT_ON_LOOP (self);
  auto *priv = self->priv;
  if (priv->stopping || priv->fatal)
    return;
  Slot &slot = slot_of (self, slot_idx);
  if (slot.session && !failback)
    return;
  std::string error;
  std::string uri = slot.uri;
  if (slot.cluster) {
    /* A cluster destination publishes to the host the resolver names for
     * each new session (kept across a postponed start). */
    if (slot.cluster_url.empty ()) {
      auto a = slot.cluster->next ();
      if (!a) {
        /* Every host failed or the stream is reported down: a transient
         * failure, the restore wait applies, then a fresh resolution. */
        auto s = std::make_shared<Session> (priv->next_session_id++, slot_idx,
                                            failback, now_of (self));
        fail_session (self, s, FailureKind::ConnectFailed,
                      "no host of cluster '" + slot.cluster->cluster_id ()
                          + "' can take the stream ("
                          + slot.cluster->last_note () + ")",
                      false, false);
        return;
      }
      slot.cluster_url = a->url;
      slot.display = resilient::gst::redact_uri (a->url);
    }
    uri = slot.cluster_url;
  }
  auto transport = resilient::gst::make_publish_transport (uri, error);
  if (!transport) {
    report_fatal (self, error, true, slot.display);
    return;
  }
  transport->set_liveness (priv->run.ping_check_period_ms,
                           priv->run.missing_pings);
  /* Codecs this destination cannot carry are a configuration error. */
  GstCaps *vcaps = nullptr, *acaps = nullptr;
  {
    std::lock_guard<std::mutex> g (priv->lock);
    if (priv->video.linked && priv->video.caps)
      vcaps = gst_caps_ref (priv->video.caps);
    if (priv->audio.linked && priv->audio.caps)
      acaps = gst_caps_ref (priv->audio.caps);
  }
  if (vcaps && !transport->accepts_codec (codec_of_caps (vcaps))
      && priv->run.codec_fallback) {
    /* The destination cannot carry this video codec: change the encoder
     * of the running front to one it takes, and start once the new
     * encoder's caps are there. */
    PublishTransport *t = transport.get ();
    std::string to = swap_video_codec (
        self, [t] (const std::string &c) { return t->accepts_codec (c); },
        "destination-codec");
    if (!to.empty ()) {
      gst_caps_unref (vcaps);
      if (acaps)
        gst_caps_unref (acaps);
      priv->pending_start = slot_idx;
      return;
    }
  }
  if ((priv->video.linked && !vcaps) || (priv->audio.linked && !acaps)) {
    /* An encoder was just swapped: start on its first caps. */
    if (vcaps)
      gst_caps_unref (vcaps);
    if (acaps)
      gst_caps_unref (acaps);
    priv->pending_start = slot_idx;
    return;
  }
  for (auto *c : { vcaps, acaps }) {
    if (c && !transport->accepts_codec (codec_of_caps (c))) {
      error = "destination " + transport->display_uri () + " ("
              + transport->protocol () + ") cannot carry " + codec_of_caps (c)
              + ": choose another encoder or destination";
    }
  }
  if (!error.empty ()) {
    if (vcaps)
      gst_caps_unref (vcaps);
    if (acaps)
      gst_caps_unref (acaps);
    report_fatal (self, error, true, slot.display);
    return;
  }

  auto s = std::make_shared<Session> (priv->next_session_id++, slot_idx,
                                      failback, now_of (self));
  s->in_at_start = priv->video.buffers_in + priv->audio.buffers_in;
  gchar *pname = g_strdup_printf ("%s-session%" G_GUINT64_FORMAT,
                                  GST_OBJECT_NAME (self), s->id);
  bool built = s->build (
      GST_ELEMENT (self), pname, std::move (transport), vcaps, acaps,
      [self] (std::uint64_t id, GstMessage *m) {
        on_session_end (self, id, m);
      },
      error);
  g_free (pname);
  if (vcaps)
    gst_caps_unref (vcaps);
  if (acaps)
    gst_caps_unref (acaps);
  if (!built) {
    report_fatal (self, error, true, slot.display);
    return;
  }
  s->cluster_url = std::move (slot.cluster_url);
  slot.cluster_url.clear ();

  if (!failback)
    slot.session = s;
  slot.bitrate.reset ();
  slot.pings.reset (s->started);
  GST_INFO_OBJECT (self, "session %" G_GUINT64_FORMAT " to %s%s", s->id,
                   s->transport ()->display_uri ().c_str (),
                   failback ? " (fail-back)" : "");

  if (!s->play ()) {
    /* Connect errors are posted on the bus first and handled there. */
    GST_WARNING_OBJECT (self, "session %" G_GUINT64_FORMAT " failed to start",
                        s->id);
  }
  bool had_key = false;
  {
    std::lock_guard<std::mutex> g (priv->lock);
    priv->sessions.push_back (s);
    /* Held media first (it starts at a keyframe), then live media. */
    had_key = s->replay (priv->hold);
    s->feeding = true;
  }
  if (!had_key && s->has_video ())
    request_keyframe (self);
  update_status (self);
}

static std::shared_ptr<Session>
find_session (GstAutoRestoreSink *self, std::uint64_t id)
{
  std::lock_guard<std::mutex> g (self->priv->lock);
  for (auto &s : self->priv->sessions)
    if (s->id == id)
      return s;
  return nullptr;
}

static void
update_hold_limit (GstAutoRestoreSink *self)
{
  auto *priv = self->priv;
  bool up = false;
  for (auto &slot : priv->slots)
    up = up || (slot.session && slot.session->up);
  std::lock_guard<std::mutex> g (priv->lock);
  priv->any_up = up;
  /* While media flows only the current group of pictures is held (a new
   * session starts from its keyframe); during an outage up to
   * max-hold-time. */
  priv->hold.set_limit (up ? Duration::zero ()
                           : ms (priv->run.max_hold_time_ms));
}

static void
update_status (GstAutoRestoreSink *self)
{
  RETURN_IF_NOT_ON_LOOP (self);
  auto *priv = self->priv;
  GstAutoRestoreSinkStatus st = GST_AUTO_RESTORE_SINK_STATUS_STOPPED;
  if (priv->fatal) {
    st = GST_AUTO_RESTORE_SINK_STATUS_FAILED;
  } else if (priv->started && !priv->stopping) {
    bool up = false, waiting = false, gave_up = !priv->slots.empty ();
    bool ever = false;
    for (auto &slot : priv->slots) {
      up = up || (slot.session && slot.session->up);
      gave_up = gave_up && slot.gave_up;
    }
    for (size_t i = 0; i < priv->slots.size (); i++) {
      const RestoreScheduler &sched = priv->coord.own_scheduler (i);
      waiting = waiting || sched.state () == RestoreState::Waiting
                || sched.outage_start ().has_value ();
      ever = ever || sched.total_retries () > 0;
    }
    if (!priv->run.redundant && !priv->slots.empty ())
      gave_up = priv->slots[0].gave_up;
    if (up)
      st = GST_AUTO_RESTORE_SINK_STATUS_PUBLISHING;
    else if (gave_up)
      st = GST_AUTO_RESTORE_SINK_STATUS_GAVE_UP;
    else if (waiting || ever)
      st = GST_AUTO_RESTORE_SINK_STATUS_RESTORING;
    else
      st = GST_AUTO_RESTORE_SINK_STATUS_CONNECTING;
  }
  bool changed;
  {
    std::lock_guard<std::mutex> g (priv->lock);
    changed = priv->status != st;
    priv->status = st;
  }
  if (changed)
    g_object_notify (G_OBJECT (self), "status");
}

static void on_retry_due (GstAutoRestoreSink *self, size_t slot_idx);

static void
schedule_retry_at (GstAutoRestoreSink *self, size_t slot_idx, TimePoint at)
{
  auto *priv = self->priv;
  Slot &slot = slot_of (self, slot_idx);
  if (slot.retry_timer)
    priv->loop.cancel (slot.retry_timer);
  std::int64_t delay = to_ms (at - now_of (self));
  slot.retry_timer
      = schedule_in_ms (self, delay, [keep = SelfRef (self), slot_idx] {
          keep.p->priv->slots[slot_idx].retry_timer = 0;
          on_retry_due (keep.p, slot_idx);
        });
}

static void
on_retry_due (GstAutoRestoreSink *self, size_t slot_idx)
{
  RETURN_IF_NOT_ON_LOOP (self);
  auto *priv = self->priv;
  if (priv->stopping || priv->fatal)
    return;
  auto r = priv->coord.on_retry_due (slot_idx, now_of (self));
  if (!r)
    return;
  {
    std::lock_guard<std::mutex> g (priv->lock);
    priv->stats.retries++;
    if (r->switched)
      priv->stats.failovers++;
  }
  post_event (
      self, "retry",
      gst_structure_new ("x", "destination", G_TYPE_STRING,
                         slot_of (self, r->dest).display.c_str (), "attempt",
                         G_TYPE_INT, r->attempt, "reason", G_TYPE_STRING,
                         failure_kind_name (slot_of (self, slot_idx).last_kind),
                         nullptr));
  start_session (self, r->dest, false);
}

/* The coordinator's actions after a failure, one function each. */

static void
act_fatal (GstAutoRestoreSink *self, const FailureVerdict &v,
           const RestoreAction &a)
{
  Slot &slot = slot_of (self, a.dest);
  slot.fatal = true;
  report_fatal (self, v.reason, a.local, slot.display);
  update_hold_limit (self);
}

static void
act_restoring (GstAutoRestoreSink *self, const FailureVerdict &v,
               const RestoreAction &a)
{
  GST_ELEMENT_WARNING (self, RESOURCE, WRITE,
                       ("Publishing to %s failed, restoring: %s",
                        slot_of (self, a.dest).display.c_str (),
                        v.reason.c_str ()),
                       (nullptr));
}

static void
act_next_cluster_host (GstAutoRestoreSink *self, const FailureVerdict &v,
                       const RestoreAction &a)
{
  auto *priv = self->priv;
  Slot &slot = slot_of (self, a.dest);
  if (a.cancel_retry && slot.retry_timer) {
    priv->loop.cancel (slot.retry_timer);
    slot.retry_timer = 0;
  }
  {
    std::lock_guard<std::mutex> g (priv->lock);
    priv->stats.retries++;
  }
  const std::string from = slot.display;
  start_session (self, a.dest, false);
  post_event (self, "retry",
              gst_structure_new ("x", "destination", G_TYPE_STRING,
                                 slot.display.c_str (), "attempt", G_TYPE_INT,
                                 priv->coord.scheduler (a.dest).tries (),
                                 "reason", G_TYPE_STRING,
                                 failure_kind_name (v.kind), nullptr));
  GST_INFO_OBJECT (self, "cluster: %s -> %s (%s)", from.c_str (),
                   slot.display.c_str (), failure_kind_name (v.kind));
}

static void
act_failover (GstAutoRestoreSink *self, const FailureVerdict &v,
              const RestoreAction &a)
{
  auto *priv = self->priv;
  {
    std::lock_guard<std::mutex> g (priv->lock);
    priv->stats.failovers++;
  }
  post_event (self, "failover",
              gst_structure_new (
                  "x", "from", G_TYPE_STRING,
                  slot_of (self, a.from).display.c_str (), "to", G_TYPE_STRING,
                  slot_of (self, a.dest).display.c_str (), "reason",
                  G_TYPE_STRING, failure_kind_name (v.kind), nullptr));
  start_session (self, a.dest, false);
}

static void
act_retry_at (GstAutoRestoreSink *self, const SessionFailure &f,
              const FailureVerdict &v, const RestoreAction &a, TimePoint now)
{
  Slot &slot = slot_of (self, a.dest);
  GST_INFO_OBJECT (self, "retry %d to %s in %" G_GINT64_FORMAT " ms", a.attempt,
                   slot.display.c_str (), to_ms (a.at - now));
  schedule_retry_at (self, a.dest, a.at);
  /* A server that accepted the connection and then failed it is retried
   * on this schedule; probes only skip the wait for a server that was
   * down and accepts again. */
  slot.reach.on_failure (f.accepted, now, a.floor);
  schedule_probe (self, a.dest);
  if (a.warn && !f.was_up)
    GST_ELEMENT_WARNING (
        self, RESOURCE, OPEN_WRITE,
        ("Cannot publish to %s: %s; retry %d in %" G_GINT64_FORMAT " ms",
         slot.display.c_str (), v.reason.c_str (), a.attempt,
         to_ms (a.at - now)),
        ("%s", failure_kind_name (v.kind)));
}

static void
act_give_up (GstAutoRestoreSink *self, const FailureVerdict &v,
             const RestoreAction &a)
{
  Slot &slot = slot_of (self, a.dest);
  slot.gave_up = true;
  post_event (self, "gave-up",
              gst_structure_new ("x", "destination", G_TYPE_STRING,
                                 slot.display.c_str (), "reason", G_TYPE_STRING,
                                 failure_kind_name (v.kind), "message",
                                 G_TYPE_STRING, v.reason.c_str (), "fatal",
                                 G_TYPE_BOOLEAN, FALSE, "tries", G_TYPE_INT,
                                 a.attempt, nullptr));
  GST_ELEMENT_WARNING (self, RESOURCE, WRITE,
                       ("Gave up publishing to %s after %d tries",
                        slot.display.c_str (), a.attempt),
                       ("%s", v.reason.c_str ()));
}

static void
apply_action (GstAutoRestoreSink *self, const SessionFailure &f,
              const FailureVerdict &v, const RestoreAction &a, TimePoint now)
{
  switch (a.kind) {
  case RestoreAction::Kind::KeepBackup:
    break;
  case RestoreAction::Kind::Fatal:
    act_fatal (self, v, a);
    break;
  case RestoreAction::Kind::Restoring:
    act_restoring (self, v, a);
    break;
  case RestoreAction::Kind::NextClusterHost:
    act_next_cluster_host (self, v, a);
    break;
  case RestoreAction::Kind::Failover:
    act_failover (self, v, a);
    break;
  case RestoreAction::Kind::RetryAt:
    act_retry_at (self, f, v, a, now);
    break;
  case RestoreAction::Kind::GiveUp:
    act_give_up (self, v, a);
    break;
  }
}

/* A failure of a session: tear it down, let the coordinator classify it
 * and decide (fail-back, fatal, cluster host, failover, retry or give
 * up), then carry out its actions in order. */
static void
fail_session (GstAutoRestoreSink *self, std::shared_ptr<Session> s,
              FailureKind kind, const std::string &reason, bool accepted,
              bool closed_by_peer)
{
  RETURN_IF_NOT_ON_LOOP (self);
  auto *priv = self->priv;
  if (!s || s->failed)
    return;
  s->failed = true;
  const TimePoint now = now_of (self);
  Slot &slot = slot_of (self, s->slot);
  SessionFailure f;
  f.dest = s->slot;
  f.kind = kind;
  f.reason = reason;
  f.accepted = accepted;
  f.closed_by_peer = closed_by_peer;
  f.was_up = s->up;
  f.failback = s->failback;
  f.lifetime = now - s->started;
  f.retry_after_ms = std::exchange (slot.retry_after_ms, -1);
  if (f.was_up && !priv->coord.scheduler (f.dest).outage_start ()) {
    slot.seen_outage_start = s->last_ack ? std::min (*s->last_ack, now) : now;
    slot.detection_ms
        = s->last_ack ? to_ms (now - *slot.seen_outage_start) : -1;
  }
  destroy_session (self, s);
  f.cluster_host = slot.cluster && !s->cluster_url.empty ();
  if (f.cluster_host)
    /* "cluster-down" is not held against the host. */
    slot.cluster->failed (failure_kind_name (kind));
  if (priv->stopping)
    return;
  f.cluster_plan_left = f.cluster_host && slot.cluster->plan_left ();

  const FailureVerdict v = priv->coord.on_failure (f, now);
  slot.last_kind = v.kind;
  slot.last_reason = v.reason;
  {
    std::lock_guard<std::mutex> g (priv->lock);
    priv->stats.last_failure
        = std::string (failure_kind_name (v.kind)) + ": " + v.reason;
  }
  GST_WARNING_OBJECT (self, "session to %s failed (%s): %s",
                      slot.display.c_str (), failure_kind_name (v.kind),
                      v.reason.c_str ());
  /* Media is held for a new session from here on (before one starts). */
  if (!f.failback && !is_fatal (v.kind))
    update_hold_limit (self);
  for (const RestoreAction &a : v.actions)
    apply_action (self, f, v, a, now);
  update_status (self);
}

static void
on_session_message (GstAutoRestoreSink *self, std::uint64_t id, GstMessage *msg)
{
  auto *priv = self->priv;
  auto s = find_session (self, id);
  if (!s)
    return;
  if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_EOS) {
    if (s->draining) {
      destroy_session (self, s);
      finish_eos_if_done (self);
    } else {
      fail_session (self, s, FailureKind::PublishStopped, "the session ended",
                    true, true);
    }
    return;
  }
  if (s->draining) {
    destroy_session (self, s);
    finish_eos_if_done (self);
    return;
  }
  TransportFailure f = s->transport ()->classify (msg);
  if (!f.rejected_codec.empty () && priv->run.codec_fallback) {
    /* The server refused the video codec (WHIP without H264): another
     * codec the destination takes, in the running front, then again. */
    PublishTransport *t = s->transport ();
    const std::string refused = f.rejected_codec;
    if (!swap_video_codec (
             self,
             [t, refused] (const std::string &c) {
               return c != refused && t->accepts_codec (c);
             },
             "codec-refused")
             .empty ())
      f.kind = FailureKind::PublishStopped;
  }
  /* The server's Retry-After is a floor on the restore schedule (read by
   * this failure only: a session already failed ignores it). */
  if (!s->failed)
    slot_of (self, s->slot).retry_after_ms
        = s->failback ? -1 : f.retry_after_ms;
  fail_session (self, s, f.kind, f.reason, f.accepted, f.closed_by_peer);
}

static void
on_session_up (GstAutoRestoreSink *self, std::shared_ptr<Session> s)
{
  auto *priv = self->priv;
  const TimePoint now = now_of (self);
  s->up = true;
  Slot &slot = slot_of (self, s->slot);
  slot.reach.reset ();
  if (slot.probe_timer) {
    priv->loop.cancel (slot.probe_timer);
    slot.probe_timer = 0;
  }
  slot.gave_up = false;
  if (slot.cluster && !s->cluster_url.empty ())
    slot.cluster->succeeded ();

  const UpResult result = priv->coord.on_up (s->slot, s->failback, now);
  if (result.failback_from) {
    const std::string from = slot_of (self, *result.failback_from).display;
    /* Make-before-break: the primary carries media, drop the backup. */
    for (auto &other : priv->slots)
      if (other.session && &other != &slot)
        destroy_session (self, other.session);
    s->failback = false;
    slot.session = s;
    {
      std::lock_guard<std::mutex> g (priv->lock);
      priv->stats.failovers++;
    }
    post_event (self, "failover",
                gst_structure_new ("x", "from", G_TYPE_STRING, from.c_str (),
                                   "to", G_TYPE_STRING, slot.display.c_str (),
                                   "reason", G_TYPE_STRING, "failback",
                                   nullptr));
  }

  auto outage = result.outage_start;
  const int tries = result.tries;
  update_hold_limit (self);
  /* Viewers lost the stream with the last media the peer acknowledged,
   * before the failure was noticed. */
  if (outage && slot.seen_outage_start && *slot.seen_outage_start < *outage)
    outage = slot.seen_outage_start;
  std::int64_t outage_ms = outage ? to_ms (now - *outage) : -1;
  const std::int64_t detection_ms = slot.detection_ms;
  slot.seen_outage_start.reset ();
  slot.detection_ms = -1;
  {
    std::lock_guard<std::mutex> g (priv->lock);
    priv->stats.destination = slot.display;
    priv->stats.destination_index = (int)s->slot;
    if (outage) {
      priv->stats.restores++;
      priv->stats.last_outage_ms = outage_ms;
      priv->stats.max_outage_ms
          = std::max (priv->stats.max_outage_ms, outage_ms);
    }
  }
  GST_INFO_OBJECT (self, "publishing to %s", slot.display.c_str ());
  /* The session began with the held group, sent in a burst; viewers that
   * join the restored stream a moment later get a fresh keyframe instead
   * of waiting a whole keyframe interval. */
  if (s->has_video ())
    request_keyframe (self);
  if (outage) {
    post_event (
        self, "restored",
        gst_structure_new ("x", "destination", G_TYPE_STRING,
                           slot.display.c_str (), "attempt", G_TYPE_INT, tries,
                           "outage-ms", G_TYPE_INT64, outage_ms, "detection-ms",
                           G_TYPE_INT64, detection_ms, "reason", G_TYPE_STRING,
                           failure_kind_name (slot.last_kind), nullptr));
  }
  update_status (self);
}

/* Republish after a health verdict; with H264 on a destination that also
 * takes another codec, swap the encoder first (the seed's H264 -> VP8). */
static void
republish (GstAutoRestoreSink *self, std::shared_ptr<Session> s,
           FailureKind kind, const std::string &reason)
{
  auto *priv = self->priv;
  {
    std::lock_guard<std::mutex> g (priv->lock);
    priv->stats.republishes++;
  }
  post_event (self, "republish",
              gst_structure_new ("x", "destination", G_TYPE_STRING,
                                 s->transport ()->display_uri ().c_str (),
                                 "reason", G_TYPE_STRING,
                                 failure_kind_name (kind), nullptr));
  /* The seed's "change codec": nothing left with this codec, try another
   * one the destination takes (H264 -> VP8 on WHIP). RTMP and SRT carry
   * no fallback codec, so there this is a plain republish. */
  if (kind == FailureKind::BitrateZero && priv->run.codec_fallback) {
    PublishTransport *t = s->transport ();
    const std::string current = priv->video.codec;
    swap_video_codec (
        self,
        [t, current] (const std::string &c) {
          return c != current && t->accepts_codec (c);
        },
        "bitrate-zero");
  }
  fail_session (self, s, kind, reason, true, false);
}

static void probe_reachability (GstAutoRestoreSink *self, size_t idx);

static void
tick (GstAutoRestoreSink *self)
{
  RETURN_IF_NOT_ON_LOOP (self);
  auto *priv = self->priv;
  priv->tick_timer = 0;
  if (!priv->started || priv->stopping)
    return;
  const TimePoint now = now_of (self);
  std::vector<std::shared_ptr<Session>> sessions;
  {
    std::lock_guard<std::mutex> g (priv->lock);
    sessions = priv->sessions;
  }
  const std::uint64_t in_total = priv->video.bytes_in + priv->audio.bytes_in;
  for (auto &s : sessions) {
    if (s->failed || s->draining || !s->transport ())
      continue;
    TransportHealth h = s->transport ()->poll ();
    if (h.ack_age_ms >= 0)
      s->last_ack = now - ms (h.ack_age_ms);
    Slot &slot = slot_of (self, s->slot);
    if (!s->up && h.up)
      on_session_up (self, s);
    else if (!s->up && priv->run.connect_timeout_ms > 0
             && now - s->started >= ms (priv->run.connect_timeout_ms)
             && priv->video.buffers_in + priv->audio.buffers_in
                    > s->in_at_start) {
      /* Media came in but no stage of the connect (TCP connect,
       * handshake, publish / SRT handshake / WHIP exchange) finished in
       * time: a server sending garbage or stalling. */
      fail_session (self, s, FailureKind::ConnectFailed,
                    "not publishing "
                        + std::to_string (priv->run.connect_timeout_ms)
                        + " ms after connecting (connect-timeout): the "
                          "server did not complete the connect, handshake "
                          "or publish",
                    true, false);
      continue;
    } else if (!s->up)
      GST_DEBUG_OBJECT (self,
                        "session %" G_GUINT64_FORMAT
                        " not up yet: %" G_GUINT64_FORMAT
                        " buffers, %" G_GUINT64_FORMAT " bytes out",
                        s->id, s->transport ()->probed_buffers (), h.bytes_out);
    if (!s->up)
      continue;
    /* The stats shown are those of the session carrying media. */
    bool main = slot.session == s;
    if (priv->run.check_bitrate
        && now - s->last_bitrate_sample
               >= ms (priv->run.bitrate_check_interval_ms)) {
      s->last_bitrate_sample = now;
      auto v = slot.bitrate.sample (now, h.bytes_out, in_total);
      if (main) {
        std::lock_guard<std::mutex> g (priv->lock);
        priv->stats.bitrate_kbps = slot.bitrate.last_kbps ();
        priv->stats.zero_bitrate_intervals = slot.bitrate.zero_count ();
      }
      if (v == BitrateWatch::Verdict::Failed) {
        republish (self, s, FailureKind::BitrateZero,
                   "no bytes left for "
                       + std::to_string (slot.bitrate.zero_count ())
                       + " check intervals while media came in");
        continue;
      }
    }
    bool dead = slot.pings.sample (now, h.pings, h.owed);
    if (main) {
      std::lock_guard<std::mutex> g (priv->lock);
      priv->stats.bytes_out = h.bytes_out;
      priv->stats.pings = h.pings;
      priv->stats.missing_pings = slot.pings.missing ();
      priv->stats.rtt_ms = h.rtt_ms;
    }
    if (dead) {
      republish (self, s, FailureKind::PingsMissing,
                 std::to_string (slot.pings.missing ()) + " pings missing");
      continue;
    }
  }
  /* Fail back to the primary after the hold-off (make-before-break). */
  if (!priv->run.redundant && priv->slots.size () > 1) {
    auto due = priv->coord.destinations ().failback_due ();
    bool attempt_running = false;
    {
      std::lock_guard<std::mutex> g (priv->lock);
      for (auto &s : priv->sessions)
        attempt_running = attempt_running || s->failback;
    }
    Slot &active = slot_of (self, priv->coord.destinations ().active ());
    if (due && now >= *due && !attempt_running && active.session
        && active.session->up) {
      priv->coord.on_failback_failed (now); /* next try after hold-off */
      start_session (self, 0, true);
    }
  }
  schedule_tick (self);
}

static void
schedule_tick (GstAutoRestoreSink *self)
{
  auto *priv = self->priv;
  if (priv->tick_timer || !priv->started || priv->stopping)
    return;
  priv->tick_timer = schedule_in_ms (
      self, TICK_MS, [keep = SelfRef (self)] { tick (keep.p); });
}

/* Skip the wait for `idx` (server reachable, network changed). */
static void
retry_now (GstAutoRestoreSink *self, size_t idx, const char *why)
{
  auto *priv = self->priv;
  if (priv->stopping || priv->fatal)
    return;
  auto v = priv->coord.on_reachable (idx, now_of (self));
  if (v.action != RestoreVerdict::Action::RetryAt)
    return;
  GST_INFO_OBJECT (self, "%s: retrying %s now", why,
                   slot_of (self, idx).display.c_str ());
  Slot &slot = slot_of (self, idx);
  if (slot.retry_timer) {
    priv->loop.cancel (slot.retry_timer);
    slot.retry_timer = 0;
  }
  if (slot.probe_timer) {
    priv->loop.cancel (slot.probe_timer);
    slot.probe_timer = 0;
  }
  on_retry_due (self, idx);
}

struct ProbeCtx
{
  SelfRef self;
  size_t idx;
};

static void
probe_done (GObject *source, GAsyncResult *res, gpointer user_data)
{
  auto *ctx = static_cast<ProbeCtx *> (user_data);
  GstAutoRestoreSink *self = ctx->self.p;
  self->priv->probes_in_flight--;
  GSocketConnection *conn = g_socket_client_connect_to_host_finish (
      G_SOCKET_CLIENT (source), res, nullptr);
  /* Runs on the loop thread (its context is the thread default there). */
  if (conn) {
    g_io_stream_close (G_IO_STREAM (conn), nullptr, nullptr);
    g_object_unref (conn);
  }
  if (ctx->idx < self->priv->slots.size () && !self->priv->stopping) {
    Slot &slot = self->priv->slots[ctx->idx];
    slot.probing = false;
    if (!conn)
      /* The server is down: the sessions it closed were not refusals. */
      self->priv->coord.on_unreachable (ctx->idx);
    if (slot.reach.on_probe_result (conn != nullptr, now_of (self)))
      retry_now (self, ctx->idx, "server accepts connections again");
    else
      schedule_probe (self, ctx->idx);
  }
  delete ctx;
}

static void
probe_reachability (GstAutoRestoreSink *self, size_t idx)
{
  auto *priv = self->priv;
  Slot &slot = slot_of (self, idx);
  std::string err;
  auto t = resilient::gst::make_publish_transport (slot.uri, err);
  auto addr = t ? t->tcp_probe_address () : std::nullopt;
  if (!addr)
    return;
  slot.probing = true;
  slot.reach.on_probe_started (now_of (self));
  {
    std::lock_guard<std::mutex> g (priv->lock);
    priv->stats.probes++;
  }
  GSocketClient *client = g_socket_client_new ();
  g_socket_client_set_timeout (client, 1);
  priv->probes_in_flight++;
  g_socket_client_connect_to_host_async (
      client, addr->first.c_str (), (guint16)addr->second, priv->probe_cancel,
      probe_done, new ProbeCtx{ SelfRef (self), idx });
  g_object_unref (client);
}

/* The next probe of `idx` while it waits to retry, when its ReachProbe
 * says (loop only). */
static void
schedule_probe (GstAutoRestoreSink *self, size_t idx)
{
  auto *priv = self->priv;
  Slot &slot = slot_of (self, idx);
  if (slot.probe_timer) {
    priv->loop.cancel (slot.probe_timer);
    slot.probe_timer = 0;
  }
  if (priv->run.probe_interval_ms == 0 || slot.probing || !slot.retry_timer
      || priv->stopping)
    return;
  auto at = slot.reach.next_probe ();
  if (!at)
    return;
  /* No reference: the timer is cancelled on stop and the loop stopped
   * before the element goes away. */
  slot.probe_timer
      = schedule_in_ms (self, to_ms (*at - now_of (self)), [self, idx] {
          Slot &slot = self->priv->slots[idx];
          slot.probe_timer = 0;
          if (slot.retry_timer && !self->priv->stopping)
            probe_reachability (self, idx);
        });
}

static void
on_network_changed (GNetworkMonitor *monitor, gboolean available,
                    gpointer user_data)
{
  auto *self = GST_AUTO_RESTORE_SINK (user_data);
  GST_INFO_OBJECT (self, "network changed, available: %d", available);
  self->priv->loop.post ([keep = SelfRef (self), available] {
    auto *self = keep.p;
    auto *priv = self->priv;
    if (available && priv->started) {
      {
        std::lock_guard<std::mutex> g (priv->lock);
        priv->stats.network_changes++;
      }
      for (size_t i = 0; i < priv->slots.size (); i++)
        retry_now (self, i, "network changed");
    }
  });
}

static void
maybe_start_publishing (GstAutoRestoreSink *self)
{
  RETURN_IF_NOT_ON_LOOP (self);
  auto *priv = self->priv;
  if (!priv->started || priv->stopping || priv->fatal)
    return;
  /* Every linked input must have its front: a session is built for the
   * streams it will carry for its whole life. */
  if ((priv->video.linked && !priv->video.built)
      || (priv->audio.linked && !priv->audio.built))
    return;
  {
    /* ... and its encoded caps (an encoder's first output comes later
     * than its input caps). */
    std::lock_guard<std::mutex> g (priv->lock);
    if ((priv->video.linked && !priv->video.caps)
        || (priv->audio.linked && !priv->audio.caps))
      return;
  }
  {
    std::lock_guard<std::mutex> g (priv->lock);
    priv->hold.set_has_video (priv->video.linked);
  }
  if (priv->pending_start) {
    size_t idx = *priv->pending_start;
    priv->pending_start.reset ();
    start_session (self, idx, false);
    return;
  }
  bool any = false;
  for (size_t i = 0; i < priv->slots.size (); i++)
    any = any || priv->slots[i].session
          || priv->coord.own_scheduler (i).state () != RestoreState::Idle;
  if (any)
    return;
  priv->coord.start (now_of (self));
  if (priv->run.redundant) {
    for (size_t i = 0; i < priv->slots.size (); i++)
      start_session (self, i, false);
  } else {
    start_session (self, 0, false);
  }
  schedule_tick (self);
}

/* --------------------------------------------------------------- EOS */

static void
finish_eos_if_done (GstAutoRestoreSink *self)
{
  auto *priv = self->priv;
  if (!priv->draining_eos || priv->eos_posted)
    return;
  bool sessions_left;
  {
    std::lock_guard<std::mutex> g (priv->lock);
    sessions_left = !priv->sessions.empty ();
  }
  if (sessions_left || (priv->recording.is_open () && !priv->recording_eos))
    return;
  priv->eos_posted = true;
  if (priv->drain_timer) {
    priv->loop.cancel (priv->drain_timer);
    priv->drain_timer = 0;
  }
  GST_INFO_OBJECT (self, "all sessions drained, posting EOS");
  gst_element_post_message (GST_ELEMENT (self),
                            gst_message_new_eos (GST_OBJECT (self)));
  update_status (self);
}

/* A manual stop: no failure from now on restores anything. */
static void
manual_stop (GstAutoRestoreSink *self)
{
  RETURN_IF_NOT_ON_LOOP (self);
  auto *priv = self->priv;
  priv->stopping = true;
  priv->coord.on_manual_stop ();
  for (auto &slot : priv->slots) {
    if (slot.retry_timer) {
      priv->loop.cancel (slot.retry_timer);
      slot.retry_timer = 0;
    }
    if (slot.probe_timer) {
      priv->loop.cancel (slot.probe_timer);
      slot.probe_timer = 0;
    }
  }
  if (priv->tick_timer) {
    priv->loop.cancel (priv->tick_timer);
    priv->tick_timer = 0;
  }
  if (priv->probe_cancel)
    g_cancellable_cancel (priv->probe_cancel);
}

static void
on_front_eos (GstAutoRestoreSink *self, bool video)
{
  auto *priv = self->priv;
  (video ? priv->video : priv->audio).eos = true;
  if ((priv->video.linked && !priv->video.eos)
      || (priv->audio.linked && !priv->audio.eos) || priv->draining_eos)
    return;
  GST_INFO_OBJECT (self, "EOS on every input: stopping without restore");
  manual_stop (self);
  priv->draining_eos = true;
  std::vector<std::shared_ptr<Session>> sessions;
  {
    std::lock_guard<std::mutex> g (priv->lock);
    sessions = priv->sessions;
  }
  for (auto &s : sessions) {
    if (s->up) {
      s->draining = true;
      /* Lets the muxer finish and rtmp2sink send its stop commands. */
      s->end_of_stream ();
    } else {
      destroy_session (self, s);
    }
  }
  priv->drain_timer = schedule_in_ms (
      self, priv->run.eos_drain_timeout_ms, [keep = SelfRef (self)] {
        auto *self = keep.p;
        auto *priv = self->priv;
        priv->drain_timer = 0;
        std::vector<std::shared_ptr<Session>> left;
        {
          std::lock_guard<std::mutex> g (priv->lock);
          left = priv->sessions;
        }
        for (auto &s : left)
          destroy_session (self, s);
        /* Do not wait for the recording longer than for the sessions. */
        priv->recording_eos = true;
        finish_eos_if_done (self);
      });
  finish_eos_if_done (self);
}

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
    if (GstElement *enc = guarded_encoder_of (GST_MESSAGE_SRC (msg), &g)) {
      GError *err = nullptr;
      gst_message_parse_error (msg, &err, nullptr);
      trip_encoder_guard (g, enc,
                          std::string ("error '")
                              + (err ? err->message : "unknown") + "'");
      g_clear_error (&err);
      gst_message_unref (msg);
      return;
    }
    /* The recording failing (unwritable, disk full) is a WARNING: the
     * loop posts it and publishing goes on. */
    if (resilient::gst::Recording::owns (GST_MESSAGE_SRC (msg))) {
      GError *err = nullptr;
      gst_message_parse_error (msg, &err, nullptr);
      priv->recording.trip (
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
        keep.p->priv->recording_eos = true;
        finish_eos_if_done (keep.p);
      });
    }
    gst_message_unref (msg);
    return;
  }
  case GST_MESSAGE_ELEMENT: {
    if (auto clip = priv->recording.note_message (msg)) {
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

/* A cluster:// destination for messages: the path (a stream key) is
 * redacted like an RTMP key. */
static std::string
cluster_display (const std::string &uri)
{
  auto u = resilient::cluster::parse_cluster_uri (uri);
  if (!u)
    return resilient::gst::redact_uri (uri);
  return "cluster://" + u->id + "/***";
}

/* The resolver's status callback reported the host (or stream) of a
 * cluster destination down: the session using it fails at once with
 * "cluster-down" (listener thread -> loop; only a weak reference to the
 * element is held). */
static void
watch_cluster (GstAutoRestoreSink *self, size_t idx,
               const std::shared_ptr<resilient::cluster::ClusterClient> &client)
{
  auto weak = std::shared_ptr<GWeakRef> (new GWeakRef, [] (GWeakRef *w) {
    g_weak_ref_clear (w);
    delete w;
  });
  g_weak_ref_init (weak.get (), self);
  std::weak_ptr<resilient::cluster::ClusterClient> wc = client;
  client->watch ([weak, idx, wc] (const resilient::cluster::DownNotice &n) {
    auto *s = static_cast<GstAutoRestoreSink *> (g_weak_ref_get (weak.get ()));
    if (!s)
      return;
    std::string what = n.stream.empty ()
                           ? "host " + resilient::gst::redact_uri (n.host)
                           : "stream '" + n.stream + "'";
    s->priv->loop.post ([keep = SelfRef (s), idx, what, wc] {
      auto *s = keep.p;
      auto *priv = s->priv;
      auto client = wc.lock ();
      auto cur = client ? client->current () : std::nullopt;
      std::shared_ptr<Session> hit;
      if (cur && idx < priv->slots.size ()
          && priv->slots[idx].cluster == client) {
        std::lock_guard<std::mutex> g (priv->lock);
        for (auto &x : priv->sessions)
          if (x->slot == idx && x->cluster_url == cur->url && !x->failed
              && !x->draining)
            hit = x;
      }
      if (hit) {
        GST_INFO_OBJECT (s,
                         "cluster status: %s down, session %" G_GUINT64_FORMAT
                         " moves on",
                         what.c_str (), hit->id);
        fail_session (s, hit, FailureKind::ClusterDown,
                      "status callback: " + what + " reported down", true,
                      false);
      }
    });
    gst_object_unref (s);
  });
}

static bool
setup_run (GstAutoRestoreSink *self, std::string &error)
{
  auto *priv = self->priv;
  {
    std::lock_guard<std::mutex> g (priv->settings_lock);
    priv->run = priv->settings;
  }
  const Settings &st = priv->run;
  auto uris = split (st.location, " \t\n");
  if (uris.empty ()) {
    error = "no destination: set the location property to an rtmp://, "
            "rtmps:// or srt:// URI";
    return false;
  }
  std::vector<std::shared_ptr<resilient::cluster::ClusterClient>> clusters;
  for (auto &u : uris) {
    if (resilient::cluster::ClusterClient::is_cluster_uri (u)) {
      auto client = std::make_shared<resilient::cluster::ClusterClient> (u);
      std::string why;
      if (!client->attach (why)) {
        error = "destination '" + cluster_display (u) + "': " + why
                + ": add a clusterresolver with cluster-id="
                + client->cluster_id ()
                + " to the pipeline, or fix the location property";
        return false;
      }
      clusters.push_back (client);
      continue;
    }
    clusters.push_back (nullptr);
    if (!resilient::gst::publish_transport_supports (u)) {
      resilient::gst::make_publish_transport (u, error);
      return false;
    }
  }
  RestorePolicy policy;
  policy.enabled = st.restore;
  policy.interval = ms (st.restore_interval_ms);
  policy.max_tries = st.restore_max_tries;
  policy.fast_first = st.restore_fast_first;
  policy.exponential = st.restore_backoff;
  policy.max_interval = ms (st.restore_max_interval_ms);
  priv->slots.clear ();
  priv->slots.reserve (uris.size ());
  for (size_t i = 0; i < uris.size (); i++) {
    Slot slot{ uris[i],
               clusters[i] ? cluster_display (uris[i])
                           : resilient::gst::redact_uri (uris[i]),
               BitrateWatch (ms (st.bitrate_check_interval_ms),
                             (int)st.bitrate_max_tries),
               PingWatch (ms (st.ping_check_period_ms),
                          (int)st.missing_pings) };
    slot.reach = ReachProbe (
        { ms (std::min<guint> (PROBE_MIN_INTERVAL_MS, st.probe_interval_ms)),
          ms (st.probe_interval_ms), PROBE_GROWTH });
    slot.cluster = clusters[i];
    if (slot.cluster)
      watch_cluster (self, i, slot.cluster);
    priv->slots.push_back (std::move (slot));
  }
  CoordinatorConfig cc;
  cc.redundant = st.redundant;
  cc.policy = policy;
  cc.failback_holdoff = ms (st.failback_holdoff_ms);
  priv->coord = RestoreCoordinator (cc, uris.size ());

  std::vector<EncoderCandidate> cands, fallback;
  for (auto &n : split (st.video_encoder, ", "))
    cands.push_back ({ n, codec_of_factory (n) });
  for (auto &n : split (st.fallback_video_encoder, ", "))
    fallback.push_back ({ n, codec_of_factory (n) });
  priv->chain
      = std::make_unique<EncoderChain> (cands, fallback, st.codec_fallback);
  {
    std::lock_guard<std::mutex> g (priv->lock);
    priv->stats = Stats ();
    priv->hold.set_limit (ms (st.max_hold_time_ms));
  }
  priv->fatal = false;
  return true;
}

static bool
setup_recording (GstAutoRestoreSink *self, std::string &error)
{
  auto *priv = self->priv;
  const Settings &st = priv->run;
  if (st.recording_location.empty ())
    return true;
  resilient::gst::RecordingConfig rc;
  rc.location = st.recording_location;
  rc.max_size_bytes = st.recording_max_size_bytes;
  rc.max_duration_ms = st.recording_max_duration_ms;
  rc.muxer = st.recording_muxer;
  return priv->recording.open (GST_BIN (self), rc, error);
}

/* NULL->READY: settings copied, destinations checked, the loop started.
 * Runs before the loop does: from then on its state is written on it. */
static bool
open_run (GstAutoRestoreSink *self, std::string &error)
{
  auto *priv = self->priv;
  if (!setup_run (self, error))
    return false;
  priv->probe_cancel = g_cancellable_new ();
  priv->loop.start ();
  if (priv->run.network_monitor)
    priv->loop.post_and_wait ([self] {
      auto *priv = self->priv;
      priv->monitor
          = G_NETWORK_MONITOR (g_object_ref (g_network_monitor_get_default ()));
      priv->monitor_handler
          = g_signal_connect (priv->monitor, "network-changed",
                              G_CALLBACK (on_network_changed), self);
    });
  return true;
}

/* READY->PAUSED (loop): a new run publishes afresh; a manual stop only
 * held for the run it ended. */
static bool
begin_publishing (GstAutoRestoreSink *self, std::string &error)
{
  RETURN_IF_NOT_ON_LOOP_VAL (self, false);
  auto *priv = self->priv;
  priv->video.linked = gst_pad_is_linked (priv->video.ghost);
  priv->audio.linked = gst_pad_is_linked (priv->audio.ghost);
  priv->video.eos = priv->audio.eos = false;
  priv->stopping = false;
  priv->eos_posted = false;
  priv->draining_eos = false;
  priv->recording_eos = false;
  for (auto &slot : priv->slots) {
    slot.gave_up = false;
    slot.fatal = false;
  }
  priv->fatal = false;
  priv->pending_start.reset ();
  priv->coord.reset ();
  priv->started = true;
  bool ok = priv->recording.is_open () || setup_recording (self, error);
  update_status (self);
  return ok;
}

static void
cancel_timer (GstAutoRestoreSink *self, ControlLoop::TimerId &id)
{
  if (id) {
    self->priv->loop.cancel (id);
    id = 0;
  }
}

/* PAUSED->READY (loop): a manual stop, everything torn down, never
 * restored. */
static void
stop_publishing (GstAutoRestoreSink *self)
{
  RETURN_IF_NOT_ON_LOOP (self);
  auto *priv = self->priv;
  manual_stop (self);
  std::vector<std::shared_ptr<Session>> all;
  {
    std::lock_guard<std::mutex> g (priv->lock);
    all = priv->sessions;
  }
  for (auto &s : all)
    destroy_session (self, s);
  /* Sessions torn down earlier on their own threads (WHIP DELETEs). */
  resilient::gst::wait_detached_teardowns ();
  {
    /* The next run starts on its own first media. */
    std::lock_guard<std::mutex> g (priv->lock);
    gst_caps_replace (&priv->video.caps, nullptr);
    gst_caps_replace (&priv->audio.caps, nullptr);
    priv->hold.clear ([] (GstBuffer *&b) { gst_buffer_unref (b); });
  }
  cancel_timer (self, priv->drain_timer);
  cancel_timer (self, priv->failback_timer);
  cancel_timer (self, priv->recording_timer);
  priv->started = false;
}

/* READY->NULL (loop, then the loop stops): probes, network monitor,
 * recording and fronts gone; the run's destinations dropped on the loop
 * that owns them. */
static void
close_run (GstAutoRestoreSink *self)
{
  RETURN_IF_NOT_ON_LOOP (self);
  auto *priv = self->priv;
  /* Probes still connecting own a socket and a reference to the element:
   * cancel them and let their callbacks run before the loop (and its
   * context) goes away. */
  if (priv->probe_cancel)
    g_cancellable_cancel (priv->probe_cancel);
  GMainContext *ctx = priv->loop.context ();
  while (priv->probes_in_flight > 0)
    g_main_context_iteration (ctx, TRUE);
  if (priv->monitor) {
    g_signal_handler_disconnect (priv->monitor, priv->monitor_handler);
    g_clear_object (&priv->monitor);
  }
  teardown_recording (self);
  priv->recording_failed = false;
  priv->recording.set_blocked (false);
  priv->recording.reset_counts ();
  teardown_front (self, priv->video);
  teardown_front (self, priv->audio);
  priv->slots.clear ();
  priv->chain.reset ();
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
    g_clear_object (&priv->probe_cancel);
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
      G_TYPE_UINT64, (guint64)(priv->video.bytes_in + priv->audio.bytes_in),
      "buffers-in", G_TYPE_UINT64,
      (guint64)(priv->video.buffers_in + priv->audio.buffers_in), "bytes-out",
      G_TYPE_UINT64, s.bytes_out, "bitrate-kbps", G_TYPE_DOUBLE, s.bitrate_kbps,
      "zero-bitrate-intervals", G_TYPE_INT, s.zero_bitrate_intervals, "pings",
      G_TYPE_UINT64, s.pings, "missing-pings", G_TYPE_INT, s.missing_pings,
      "rtt-ms", G_TYPE_DOUBLE, s.rtt_ms, "held-buffers", G_TYPE_UINT64,
      (guint64)priv->hold.size (), "held-ms", G_TYPE_INT64,
      to_ms (priv->hold.span ()), "dropped-buffers", G_TYPE_UINT64,
      priv->hold.stats ().dropped, "last-outage-ms", G_TYPE_INT64,
      s.last_outage_ms, "max-outage-ms", G_TYPE_INT64, s.max_outage_ms,
      "last-failure", G_TYPE_STRING, s.last_failure.c_str (), "video-codec",
      G_TYPE_STRING, s.video_codec.c_str (), "video-encoder", G_TYPE_STRING,
      s.video_encoder.c_str (), "audio-codec", G_TYPE_STRING,
      s.audio_codec.c_str (), nullptr);
}

static void
gst_auto_restore_sink_set_property (GObject *object, guint prop_id,
                                    const GValue *value, GParamSpec *pspec)
{
  auto *self = GST_AUTO_RESTORE_SINK (object);
  std::lock_guard<std::mutex> g (self->priv->settings_lock);
  Settings &s = self->priv->settings;
  auto str = [value] {
    const gchar *v = g_value_get_string (value);
    return std::string (v ? v : "");
  };
  switch (prop_id) {
  case PROP_LOCATION:
    s.location = str ();
    break;
  case PROP_REDUNDANT:
    s.redundant = g_value_get_boolean (value);
    break;
  case PROP_FAILBACK_HOLDOFF:
    s.failback_holdoff_ms = g_value_get_uint (value);
    break;
  case PROP_VIDEO_ENCODER:
    s.video_encoder = str ();
    break;
  case PROP_FALLBACK_VIDEO_ENCODER:
    s.fallback_video_encoder = str ();
    break;
  case PROP_CODEC_FALLBACK:
    s.codec_fallback = g_value_get_boolean (value);
    break;
  case PROP_AUDIO_ENCODER:
    s.audio_encoder = str ();
    break;
  case PROP_VIDEO_BITRATE:
    s.video_bitrate = g_value_get_uint (value);
    break;
  case PROP_AUDIO_BITRATE:
    s.audio_bitrate = g_value_get_uint (value);
    break;
  case PROP_KEYFRAME_INTERVAL:
    s.keyframe_interval_ms = g_value_get_uint (value);
    break;
  case PROP_MAX_HOLD_TIME:
    s.max_hold_time_ms = g_value_get_uint (value);
    break;
  case PROP_CHECK_BITRATE:
    s.check_bitrate = g_value_get_boolean (value);
    break;
  case PROP_BITRATE_CHECK_INTERVAL:
    s.bitrate_check_interval_ms = g_value_get_uint (value);
    break;
  case PROP_BITRATE_MAX_TRIES:
    s.bitrate_max_tries = g_value_get_uint (value);
    break;
  case PROP_RESTORE:
    s.restore = g_value_get_boolean (value);
    break;
  case PROP_RESTORE_INTERVAL:
    s.restore_interval_ms = g_value_get_uint (value);
    break;
  case PROP_RESTORE_MAX_TRIES:
    s.restore_max_tries = g_value_get_int (value);
    break;
  case PROP_RESTORE_FAST_FIRST:
    s.restore_fast_first = g_value_get_boolean (value);
    break;
  case PROP_RESTORE_BACKOFF:
    s.restore_backoff = g_value_get_boolean (value);
    break;
  case PROP_RESTORE_MAX_INTERVAL:
    s.restore_max_interval_ms = g_value_get_uint (value);
    break;
  case PROP_MISSING_PINGS:
    s.missing_pings = g_value_get_uint (value);
    break;
  case PROP_PING_CHECK_PERIOD:
    s.ping_check_period_ms = g_value_get_uint (value);
    break;
  case PROP_PROBE_INTERVAL:
    s.probe_interval_ms = g_value_get_uint (value);
    break;
  case PROP_NETWORK_MONITOR:
    s.network_monitor = g_value_get_boolean (value);
    break;
  case PROP_RECORDING_LOCATION:
    s.recording_location = str ();
    break;
  case PROP_RECORDING_MAX_SIZE_BYTES:
    s.recording_max_size_bytes = g_value_get_uint64 (value);
    break;
  case PROP_RECORDING_MAX_DURATION:
    s.recording_max_duration_ms = g_value_get_uint64 (value);
    break;
  case PROP_RECORDING_MUXER:
    s.recording_muxer = str ();
    break;
  case PROP_EOS_DRAIN_TIMEOUT:
    s.eos_drain_timeout_ms = g_value_get_uint (value);
    break;
  case PROP_CONNECT_TIMEOUT:
    s.connect_timeout_ms = g_value_get_uint (value);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    break;
  }
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
  std::lock_guard<std::mutex> g (priv->settings_lock);
  const Settings &s = priv->settings;
  switch (prop_id) {
  case PROP_LOCATION:
    /* Stream keys never leave through the property either. */
    {
      std::string shown;
      for (auto &u : split (s.location, " \t\n"))
        shown += (shown.empty () ? "" : " ") + resilient::gst::redact_uri (u);
      g_value_set_string (value,
                          s.location.empty () ? nullptr : shown.c_str ());
    }
    break;
  case PROP_REDUNDANT:
    g_value_set_boolean (value, s.redundant);
    break;
  case PROP_FAILBACK_HOLDOFF:
    g_value_set_uint (value, s.failback_holdoff_ms);
    break;
  case PROP_VIDEO_ENCODER:
    g_value_set_string (value, s.video_encoder.c_str ());
    break;
  case PROP_FALLBACK_VIDEO_ENCODER:
    g_value_set_string (value, s.fallback_video_encoder.c_str ());
    break;
  case PROP_CODEC_FALLBACK:
    g_value_set_boolean (value, s.codec_fallback);
    break;
  case PROP_AUDIO_ENCODER:
    g_value_set_string (value, s.audio_encoder.c_str ());
    break;
  case PROP_VIDEO_BITRATE:
    g_value_set_uint (value, s.video_bitrate);
    break;
  case PROP_AUDIO_BITRATE:
    g_value_set_uint (value, s.audio_bitrate);
    break;
  case PROP_KEYFRAME_INTERVAL:
    g_value_set_uint (value, s.keyframe_interval_ms);
    break;
  case PROP_MAX_HOLD_TIME:
    g_value_set_uint (value, s.max_hold_time_ms);
    break;
  case PROP_CHECK_BITRATE:
    g_value_set_boolean (value, s.check_bitrate);
    break;
  case PROP_BITRATE_CHECK_INTERVAL:
    g_value_set_uint (value, s.bitrate_check_interval_ms);
    break;
  case PROP_BITRATE_MAX_TRIES:
    g_value_set_uint (value, s.bitrate_max_tries);
    break;
  case PROP_RESTORE:
    g_value_set_boolean (value, s.restore);
    break;
  case PROP_RESTORE_INTERVAL:
    g_value_set_uint (value, s.restore_interval_ms);
    break;
  case PROP_RESTORE_MAX_TRIES:
    g_value_set_int (value, s.restore_max_tries);
    break;
  case PROP_RESTORE_FAST_FIRST:
    g_value_set_boolean (value, s.restore_fast_first);
    break;
  case PROP_RESTORE_BACKOFF:
    g_value_set_boolean (value, s.restore_backoff);
    break;
  case PROP_RESTORE_MAX_INTERVAL:
    g_value_set_uint (value, s.restore_max_interval_ms);
    break;
  case PROP_MISSING_PINGS:
    g_value_set_uint (value, s.missing_pings);
    break;
  case PROP_PING_CHECK_PERIOD:
    g_value_set_uint (value, s.ping_check_period_ms);
    break;
  case PROP_PROBE_INTERVAL:
    g_value_set_uint (value, s.probe_interval_ms);
    break;
  case PROP_NETWORK_MONITOR:
    g_value_set_boolean (value, s.network_monitor);
    break;
  case PROP_RECORDING_LOCATION:
    g_value_set_string (value, s.recording_location.empty ()
                                   ? nullptr
                                   : s.recording_location.c_str ());
    break;
  case PROP_RECORDING_MAX_SIZE_BYTES:
    g_value_set_uint64 (value, s.recording_max_size_bytes);
    break;
  case PROP_RECORDING_MAX_DURATION:
    g_value_set_uint64 (value, s.recording_max_duration_ms);
    break;
  case PROP_RECORDING_MUXER:
    g_value_set_string (value, s.recording_muxer.c_str ());
    break;
  case PROP_EOS_DRAIN_TIMEOUT:
    g_value_set_uint (value, s.eos_drain_timeout_ms);
    break;
  case PROP_CONNECT_TIMEOUT:
    g_value_set_uint (value, s.connect_timeout_ms);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    break;
  }
}

static void
gst_auto_restore_sink_finalize (GObject *object)
{
  auto *self = GST_AUTO_RESTORE_SINK (object);
  self->priv->loop.stop ();
  gst_caps_replace (&self->priv->video.caps, nullptr);
  gst_caps_replace (&self->priv->audio.caps, nullptr);
  delete self->priv;
  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static void
gst_auto_restore_sink_init (GstAutoRestoreSink *self)
{
  self->priv = new GstAutoRestoreSinkPrivate ();
  /* The first failure of the recording (any thread): handled on the loop. */
  self->priv->recording.set_on_failure (
      [self] (const std::string &location, const std::string &why) {
        self->priv->loop.post ([keep = SelfRef (self), location, why] {
          on_recording_failed (keep.p, location, why);
        });
      });
  init_front (self, self->priv->video, true);
  init_front (self, self->priv->audio, false);
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
