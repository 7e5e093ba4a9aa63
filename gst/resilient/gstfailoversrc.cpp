/* gst-resilient: failoversrc
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * SECTION:element-failoversrc
 * @title: failoversrc
 *
 * A live source bin over an ordered list of candidate inputs of any
 * protocol (RTMP, SRT, RTSP, HLS / HTTP, file). The front is two always
 * present raw pads, `video` and `audio` (ghost pads on one appsrc each); the
 * back is one sub-bin per running candidate (uridecodebin, then per stream a
 * converter chain ending in an appsink). Samples of the active candidate are
 * re-timestamped onto the element's running time and pushed into the
 * appsrcs, so downstream sees one segment, continuous time and fixed caps
 * whatever happens to the candidates. See docs/elements/failoversrc.md for
 * the contract.
 *
 * |[
 * gst-launch-1.0 failoversrc name=f standby=hot \
 *     uris="rtmp://127.0.0.1/live/a | file:///srv/slate.mp4" \
 *     video-caps="video/x-raw,width=1280,height=720,framerate=30/1" \
 *   f.video ! queue ! videoconvert ! autovideosink \
 *   f.audio ! queue ! audioconvert ! autoaudiosink
 * ]|
 *
 * Threads:
 * - the application thread: properties, state changes, `switch-to`;
 * - the ControlLoop thread ("failoversrc"): every decision (FailoverPolicy),
 *   health ticks, filler output, building/adding/removing candidate
 *   sub-bins, bus element messages;
 * - GStreamer's call_async pool: the (possibly blocking, e.g. a connect)
 *   state changes of candidate sub-bins, serialised per candidate by
 *   Run::op_lock;
 * - candidate streaming threads: pad probes count bytes/buffers into atomics
 *   and post EOS / pad removal to the loop; appsink callbacks pace samples
 *   on the clock and push the active candidate's samples to the output;
 * - bus handling (handle_message, any thread): maps candidate ERROR/EOS to
 *   the candidate and posts to the loop.
 *
 * Lock order (outermost first); no lock is held while a message is posted,
 * a signal emitted, a property notified or a child's state changed:
 *   Private::settings_lock
 *   -> Private::state_lock     (policy, runs map, statistics, status)
 *   -> Output::lock (video, then audio; never both in the push path)
 *   -> Private::switch_lock    (the pending switch report)
 *   -> Run::wait_lock / Run::timeline_lock / Branch::latest_lock (never
 *      held together, none held while pushing out)
 *   -> ControlLoop's internal lock (innermost, see controlloop.h)
 * Run::op_lock is only taken on the call_async pool and in teardown, with
 * none of the above held. appsrc is called with Output::lock held: appsrc
 * takes only its own internal lock and never calls back into this element
 * (no appsrc signals are connected).
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstfailoversrc.h"
#include "elements.h"

#include "common/controlloop.h"
#include "common/messages.h"
#include "common/selfref.h"
#include "resilient/cluster/client.h"
#include "resilient/failover/candidates.h"
#include "resilient/failover/health.h"
#include "resilient/failover/output_timeline.h"
#include "resilient/failover/policy.h"
#include "resilient/failover/undecodable.h"

#include <gst/app/app.h>
#include <gst/audio/audio.h>
#include <gst/video/video.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

GST_DEBUG_CATEGORY_STATIC (failover_src_debug);
#define GST_CAT_DEFAULT failover_src_debug

using namespace resilient;
using namespace resilient::failover;
using resilient::gst::ControlLoop;
using resilient::gst::redact_text;
using resilient::gst::redact_uri;

/* ---- enums -------------------------------------------------------------- */

typedef enum {
  GST_FAILOVER_SRC_STANDBY_COLD,
  GST_FAILOVER_SRC_STANDBY_HOT,
} GstFailoverSrcStandby;

typedef enum {
  GST_FAILOVER_SRC_ALL_FAILED_ERROR,
  GST_FAILOVER_SRC_ALL_FAILED_EOS,
} GstFailoverSrcAllFailed;

typedef enum {
  GST_FAILOVER_SRC_STATUS_STOPPED,
  GST_FAILOVER_SRC_STATUS_STARTING,
  GST_FAILOVER_SRC_STATUS_LIVE,
  GST_FAILOVER_SRC_STATUS_BACKUP,
  GST_FAILOVER_SRC_STATUS_FILLER,
} GstFailoverSrcStatus;

static GType
gst_failover_src_standby_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    { GST_FAILOVER_SRC_STANDBY_COLD,
      "The next candidate starts only when needed", "cold" },
    { GST_FAILOVER_SRC_STANDBY_HOT,
      "The next candidate is kept connected and decoded", "hot" },
    { 0, nullptr, nullptr },
  };
  if (g_once_init_enter (&type)) {
    GType t = g_enum_register_static ("GstFailoverSrcStandby", values);
    g_once_init_leave (&type, t);
  }
  return type;
}

static GType
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
  if (g_once_init_enter (&type)) {
    GType t = g_enum_register_static ("GstFailoverSrcAllFailed", values);
    g_once_init_leave (&type, t);
  }
  return type;
}

static GType
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
  if (g_once_init_enter (&type)) {
    GType t = g_enum_register_static ("GstFailoverSrcStatus", values);
    g_once_init_leave (&type, t);
  }
  return type;
}

/* ---- defaults (justified in docs/elements/failoversrc.md) --------------- */

#define DEFAULT_STANDBY GST_FAILOVER_SRC_STANDBY_COLD
constexpr guint DEFAULT_TIMEOUT_MS = 2000;
constexpr guint DEFAULT_ADAPTIVE_TIMEOUT_MS = 10000;
constexpr guint DEFAULT_STARTUP_TIMEOUT_MS = 10000;
constexpr guint DEFAULT_MIN_BITRATE_KBPS = 0;
constexpr guint DEFAULT_BITRATE_WINDOW_MS = 1000;
constexpr guint DEFAULT_LOW_BITRATE_WINDOWS = 3;
constexpr guint DEFAULT_RETRY_DELAY_MS = 500;
constexpr guint DEFAULT_RETRY_MAX_DELAY_MS = 30000;
constexpr gint DEFAULT_RETRY_MAX_ATTEMPTS = -1;
constexpr guint DEFAULT_FAILBACK_HOLDOFF_MS = 5000;
constexpr gboolean DEFAULT_AUTO_FAILBACK = TRUE;
constexpr guint DEFAULT_HOLD_LAST_FRAME_MS = 1000;
constexpr guint DEFAULT_LATENCY_MS = 200;
#define DEFAULT_ALL_FAILED GST_FAILOVER_SRC_ALL_FAILED_ERROR
constexpr gboolean DEFAULT_ENABLE_VIDEO = TRUE;
constexpr gboolean DEFAULT_ENABLE_AUDIO = TRUE;
/* Failback proof: longest freeze a candidate may show while proving itself. */
constexpr GstClockTime FAILBACK_MAX_FREEZE = 500 * GST_MSECOND;
/* A decoded frame without a duration counts as the distance to the one
 * before, at most this (a 4 fps stream; longer distances are freezes). */
constexpr GstClockTime CONTENT_MAX_FRAME_NS = 250 * GST_MSECOND;

/* Filler caps when nothing ever played and no caps were set. */
constexpr int DEFAULT_WIDTH = 1280;
constexpr int DEFAULT_HEIGHT = 720;
constexpr int DEFAULT_FPS_N = 30;
constexpr int DEFAULT_RATE = 48000;
constexpr int DEFAULT_CHANNELS = 2;

constexpr GstClockTime HEALTH_PERIOD = 100 * GST_MSECOND;

#define ORIGIN_META_NAME "GstFailoverSrcOriginMeta"
/* Set once in class_init: no name lookup per output buffer. */
static const GstMetaInfo *origin_meta_info = nullptr;
static GQuark q_index, q_source;

enum {
  PROP_0,
  PROP_URIS,
  PROP_URI_LIST,
  PROP_VIDEO_CAPS,
  PROP_AUDIO_CAPS,
  PROP_STANDBY,
  PROP_TIMEOUT,
  PROP_ADAPTIVE_TIMEOUT,
  PROP_STARTUP_TIMEOUT,
  PROP_MIN_BITRATE,
  PROP_BITRATE_WINDOW,
  PROP_LOW_BITRATE_WINDOWS,
  PROP_RETRY_DELAY,
  PROP_RETRY_MAX_DELAY,
  PROP_RETRY_MAX_ATTEMPTS,
  PROP_FAILBACK_HOLDOFF,
  PROP_AUTO_FAILBACK,
  PROP_HOLD_LAST_FRAME,
  PROP_FALLBACK_IMAGE,
  PROP_LATENCY,
  PROP_ALL_FAILED,
  PROP_ENABLE_VIDEO,
  PROP_ENABLE_AUDIO,
  PROP_ACTIVE_CANDIDATE,
  PROP_STATUS,
  PROP_STATISTICS,
};

enum {
  SIGNAL_SWITCH_TO,
  LAST_SIGNAL,
};
static guint signals[LAST_SIGNAL];

enum StreamIdx {
  VIDEO = 0,
  AUDIO = 1,
};
static const char *stream_names[2] = { "video", "audio" };

/* ---- private state ------------------------------------------------------ */

namespace {

struct Settings
{
  std::vector<std::string> uris;
  GstCaps *caps[2] = { nullptr, nullptr };
  GstFailoverSrcStandby standby = DEFAULT_STANDBY;
  guint timeout = DEFAULT_TIMEOUT_MS;
  guint adaptive_timeout = DEFAULT_ADAPTIVE_TIMEOUT_MS;
  guint startup_timeout = DEFAULT_STARTUP_TIMEOUT_MS;
  guint min_bitrate = DEFAULT_MIN_BITRATE_KBPS;
  guint bitrate_window = DEFAULT_BITRATE_WINDOW_MS;
  guint low_bitrate_windows = DEFAULT_LOW_BITRATE_WINDOWS;
  guint retry_delay = DEFAULT_RETRY_DELAY_MS;
  guint retry_max_delay = DEFAULT_RETRY_MAX_DELAY_MS;
  gint retry_max_attempts = DEFAULT_RETRY_MAX_ATTEMPTS;
  guint failback_holdoff = DEFAULT_FAILBACK_HOLDOFF_MS;
  gboolean auto_failback = DEFAULT_AUTO_FAILBACK;
  guint hold_last_frame = DEFAULT_HOLD_LAST_FRAME_MS;
  std::string fallback_image;
  guint latency = DEFAULT_LATENCY_MS;
  gint requested_active = -1;
  GstFailoverSrcAllFailed all_failed = DEFAULT_ALL_FAILED;
  gboolean enable[2] = { DEFAULT_ENABLE_VIDEO, DEFAULT_ENABLE_AUDIO };
};

struct Run;

/* One output stream of one candidate: queue ! convert ! ... ! appsink. */
struct Branch
{
  Run *run = nullptr;
  int stream = VIDEO;
  GstElement *queue = nullptr;
  GstElement *capsfilter = nullptr;
  GstElement *appsink = nullptr;
  std::atomic<bool> linked{ false };
  /* Video of a candidate not on the output: its newest frame, so a switch
   * to it can put a frame out at once instead of waiting up to a frame
   * for the next one. */
  std::mutex latest_lock;
  GstBuffer *latest = nullptr;
  GstCaps *latest_caps = nullptr;

  ~Branch ()
  {
    gst_clear_buffer (&latest);
    gst_clear_caps (&latest_caps);
  }
};

/* One running instance of a candidate; a restart makes a new Run. */
struct Run
{
  GstFailoverSrc *self = nullptr; /* not a ref: runs die before it */
  int index = -1;
  std::uint64_t id = 0;
  std::string uri;
  std::string safe_uri;
  InputKind kind = InputKind::Live;
  GstElement *bin = nullptr; /* owned by the element while added */
  GstElement *decodebin = nullptr;
  Branch branches[2];

  std::atomic<std::uint64_t> bytes{ 0 };
  std::atomic<std::uint64_t> buffers{ 0 };
  /* For the undecodable check: bytes out of the source element, buffers
   * into parsers and decoders. */
  std::atomic<std::uint64_t> source_bytes{ 0 };
  std::atomic<std::uint64_t> parsed_buffers{ 0 };
  std::atomic<std::int64_t> last_buffer_ns{ -1 };
  /* Sum of the durations of the decoded buffers per stream (new content,
   * for the failback proof); content_reported: loop thread only. */
  std::atomic<std::uint64_t> content_ns[2]{ 0, 0 };
  /* PTS of the last decoded buffer per stream (its streaming thread). */
  std::atomic<std::uint64_t> last_pts[2]{ GST_CLOCK_TIME_NONE,
                                          GST_CLOCK_TIME_NONE };
  std::uint64_t content_reported = 0;
  std::atomic<bool> stopping{ false };
  std::atomic<bool> failed_reported{ false };
  std::atomic<bool> no_more_pads{ false };
  std::atomic<bool> has_stream[2]{ false, false };

  std::mutex wait_lock;
  GstClockID wait_id = nullptr;

  /* Maps the candidate's running time onto the output's (one offset for
   * audio and video). */
  std::mutex timeline_lock;
  CandidateTimeline timeline;

  std::mutex op_lock; /* serialises state changes */

  /* Loop thread only. */
  std::unique_ptr<HealthMonitor> health;
  UndecodableCheck undecodable;
  bool reported_healthy = false;
};

struct Output
{
  std::mutex lock;
  GstCaps *caps = nullptr; /* fixed output caps once known */
  /* Last sample caps found to be a subset of `caps`: appsinks hand out the
   * same caps object for every sample, so the subset check runs once. */
  GstCaps *accepted = nullptr;
  GstVideoInfo vinfo;
  GstAudioInfo ainfo;
  /* Where the output has got to, from which source (run id, 0 filler). */
  OutputTimeline timeline;
  GstBuffer *last_frame = nullptr; /* last candidate video frame */
  GstBuffer *black = nullptr;
  GstBuffer *image = nullptr;
  bool image_tried = false;
};

struct PendingSwitch
{
  bool armed = false;
  std::uint64_t source = 0;
  int from = -1, to = -1;
  std::string from_uri, to_uri, reason;
  int cause_index = -1; /* whose failure moved the output, -1 none */
  std::uint64_t detect_ms = 0;
  std::uint64_t filler_ms = 0; /* time on filler before, when from = -1 */
};

struct CandidateStats
{
  /* cluster:// candidates: the redacted URL of the host in use (or last
   * used); "" otherwise. */
  std::string host_uri;
  std::uint64_t bitrate_kbps = 0;
  gint64 last_buffer_age_ms = -1;
};

struct Stats
{
  std::uint64_t num_switches = 0, num_failbacks = 0, num_retries = 0;
  std::string last_reason;
  std::uint64_t time_on_backup_ms = 0, time_on_filler_ms = 0;
  std::uint64_t last_gap_ms = 0, max_gap_ms = 0;
};

} // namespace

struct GstFailoverSrcPrivate
{
  std::mutex settings_lock;
  Settings settings;

  std::mutex state_lock;
  std::vector<Candidate> candidates;
  /* cluster://<id>/<path> candidates: the resolver client per index (see
   * docs/elements/clusterresolver.md, "For consumers"). */
  std::map<int, std::shared_ptr<resilient::cluster::ClusterClient>> clusters;
  std::unique_ptr<FailoverPolicy> policy;
  std::map<int, std::shared_ptr<Run>> runs;
  std::vector<CandidateStats> cand_stats;
  Stats stats;
  GstFailoverSrcStatus status = GST_FAILOVER_SRC_STATUS_STOPPED;
  bool playing = false;
  bool ever_active = false;
  GstClockTime playing_since = GST_CLOCK_TIME_NONE;
  GstClockTime active_since = GST_CLOCK_TIME_NONE;
  GstClockTime last_health = GST_CLOCK_TIME_NONE;
  std::uint64_t next_run_id = 1;
  bool eos_sent = false;
  ControlLoop::TimerId tick_timer = 0;
  /* Earliest time a running candidate's silence reaches its timeout, as of
   * the last schedule_tick (loop thread). */
  GstClockTime silence_deadline = GST_CLOCK_TIME_NONE;

  std::atomic<std::uint64_t> active_source{ 0 }; /* run id, 0 filler */
  std::atomic<int> active_index{ -1 };

  std::mutex switch_lock;
  PendingSwitch pending;

  /* The last failure text of each given-up candidate (state_lock). */
  std::map<int, std::string> last_failure;

  Output out[2];
  GstElement *appsrc[2] = { nullptr, nullptr };
  GstPad *ghost[2] = { nullptr, nullptr };
  /* enable-video / enable-audio as of READY->PAUSED (any thread) */
  std::atomic<bool> enabled[2]{ true, true };

  /* Set on PAUSED->PLAYING. */
  std::atomic<GstClock *> clock{ nullptr };
  std::atomic<GstClockTime> base_time{ 0 };
  std::atomic<GstClockTime> latency_ns{ DEFAULT_LATENCY_MS * GST_MSECOND };
  std::atomic<GstClockTime> hold_ns{ DEFAULT_HOLD_LAST_FRAME_MS * GST_MSECOND };

  ControlLoop loop{ "failoversrc" };
};

struct _GstFailoverSrc
{
  GstBin parent;
  GstFailoverSrcPrivate *priv;
};

#define gst_failover_src_parent_class parent_class
G_DEFINE_TYPE (GstFailoverSrc, gst_failover_src, GST_TYPE_BIN);
GST_ELEMENT_REGISTER_DEFINE (failoversrc, "failoversrc", GST_RANK_NONE,
                             GST_TYPE_FAILOVER_SRC);

static GstStaticPadTemplate video_template = GST_STATIC_PAD_TEMPLATE (
    "video", GST_PAD_SRC, GST_PAD_ALWAYS, GST_STATIC_CAPS ("video/x-raw"));
static GstStaticPadTemplate audio_template = GST_STATIC_PAD_TEMPLATE (
    "audio", GST_PAD_SRC, GST_PAD_ALWAYS, GST_STATIC_CAPS ("audio/x-raw"));

/* forward declarations */
static void schedule_tick (GstFailoverSrc *self);
static void run_actions (GstFailoverSrc *self, std::vector<Action> acts);
static void start_candidate (GstFailoverSrc *self, int index);
static void report_failure (GstFailoverSrc *self, std::uint64_t run_id,
                            int index, FailureReason reason, bool fatal,
                            std::string detail, GstClockTime first_sign,
                            Duration retry_floor = Duration::zero ());

/* ---- small helpers ------------------------------------------------------ */

/* A reference to the element held by a task on the control loop. */
using SelfRef = resilient::gst::SelfRef<GstFailoverSrc>;

static GstClockTime
running_now (GstFailoverSrc *self)
{
  GstClock *clock = self->priv->clock.load ();
  if (!clock)
    return GST_CLOCK_TIME_NONE;
  GstClockTime now = gst_clock_get_time (clock);
  GstClockTime base = self->priv->base_time.load ();
  return now > base ? now - base : 0;
}

static TimePoint
tp (GstClockTime t)
{
  return from_ns (GST_CLOCK_TIME_IS_VALID (t) ? t : 0);
}

static ErrorClass
classify_error (const GError *err)
{
  if (err->domain == GST_RESOURCE_ERROR) {
    if (err->code == GST_RESOURCE_ERROR_NOT_FOUND)
      return ErrorClass::NotFound;
    if (err->code == GST_RESOURCE_ERROR_NOT_AUTHORIZED)
      return ErrorClass::NotAuthorized;
  } else if (err->domain == GST_CORE_ERROR) {
    if (err->code == GST_CORE_ERROR_MISSING_PLUGIN)
      return ErrorClass::MissingPlugin;
  } else if (err->domain == GST_STREAM_ERROR) {
    if (err->code == GST_STREAM_ERROR_CODEC_NOT_FOUND
        || err->code == GST_STREAM_ERROR_TYPE_NOT_FOUND
        || err->code == GST_STREAM_ERROR_WRONG_TYPE)
      return ErrorClass::MissingPlugin;
  } else if (err->domain == GST_URI_ERROR) {
    return ErrorClass::BadUri;
  }
  return ErrorClass::Transient;
}

static HealthConfig
health_config (const Settings &s)
{
  HealthConfig c;
  c.timeout = ms (s.timeout);
  c.adaptive_timeout = ms (s.adaptive_timeout);
  c.startup_timeout = ms (s.startup_timeout);
  c.min_bitrate_kbps = s.min_bitrate;
  c.window = ms (s.bitrate_window);
  c.low_windows = s.low_bitrate_windows;
  return c;
}

static PolicyConfig
policy_config (const Settings &s)
{
  PolicyConfig c;
  c.standby = s.standby == GST_FAILOVER_SRC_STANDBY_HOT ? Standby::Hot
                                                        : Standby::Cold;
  c.backoff.initial = ms (s.retry_delay);
  c.backoff.max = ms (std::max (s.retry_max_delay, s.retry_delay));
  c.backoff.max_attempts = s.retry_max_attempts;
  c.backoff.jitter = 0.2;
  c.failback_holdoff = ms (s.failback_holdoff);
  c.auto_failback = s.auto_failback;
  c.max_freeze = from_ns (FAILBACK_MAX_FREEZE);
  return c;
}

/* ---- output caps, filler frames ----------------------------------------- */


/* A field the user left out takes the default; one given as a range or list
 * is fixated towards it. */
static void
fixate_int_or_set (GstStructure *s, const char *field, int def)
{
  if (!gst_structure_has_field (s, field))
    gst_structure_set (s, field, G_TYPE_INT, def, nullptr);
  else
    gst_structure_fixate_field_nearest_int (s, field, def);
}

static void
fixate_string_or_set (GstStructure *s, const char *field, const char *def)
{
  if (!gst_structure_has_field (s, field))
    gst_structure_set (s, field, G_TYPE_STRING, def, nullptr);
  else
    gst_structure_fixate_field_string (s, field, def);
}

static GstCaps *
default_caps (int stream, const GstCaps *wanted)
{
  GstCaps *caps = wanted ? gst_caps_copy (wanted)
                         : gst_caps_new_empty_simple (
                             stream_names[stream] == std::string ("video")
                                 ? "video/x-raw"
                                 : "audio/x-raw");
  caps = gst_caps_truncate (caps);
  caps = gst_caps_make_writable (caps);
  GstStructure *s = gst_caps_get_structure (caps, 0);
  if (stream == VIDEO) {
    fixate_string_or_set (s, "format", "I420");
    fixate_int_or_set (s, "width", DEFAULT_WIDTH);
    fixate_int_or_set (s, "height", DEFAULT_HEIGHT);
    if (!gst_structure_has_field (s, "framerate"))
      gst_structure_set (s, "framerate", GST_TYPE_FRACTION, DEFAULT_FPS_N, 1,
                         nullptr);
    gst_structure_fixate_field_nearest_fraction (s, "framerate", DEFAULT_FPS_N,
                                                 1);
    if (!gst_structure_has_field (s, "pixel-aspect-ratio"))
      gst_structure_set (s, "pixel-aspect-ratio", GST_TYPE_FRACTION, 1, 1,
                         nullptr);
  } else {
    fixate_string_or_set (s, "format", "S16LE");
    fixate_int_or_set (s, "rate", DEFAULT_RATE);
    fixate_int_or_set (s, "channels", DEFAULT_CHANNELS);
    if (!gst_structure_has_field (s, "layout"))
      gst_structure_set (s, "layout", G_TYPE_STRING, "interleaved", nullptr);
  }
  return gst_caps_fixate (caps);
}

/* Caps a candidate branch converts to before the output caps are known. */
static GstCaps *
branch_caps (GstFailoverSrc *self, int stream)
{
  auto *priv = self->priv;
  {
    std::lock_guard<std::mutex> g (priv->out[stream].lock);
    if (priv->out[stream].caps)
      return gst_caps_ref (priv->out[stream].caps);
  }
  std::lock_guard<std::mutex> g (priv->settings_lock);
  if (priv->settings.caps[stream])
    return gst_caps_ref (priv->settings.caps[stream]);
  /* Interleaved audio: what nearly every downstream element takes. */
  return stream == VIDEO
             ? gst_caps_new_empty_simple ("video/x-raw")
             : gst_caps_new_simple ("audio/x-raw", "layout", G_TYPE_STRING,
                                    "interleaved", nullptr);
}

static GstClockTime
frame_duration (Output &o)
{
  if (GST_VIDEO_INFO_FPS_N (&o.vinfo) > 0)
    return gst_util_uint64_scale_int (GST_SECOND,
                                      GST_VIDEO_INFO_FPS_D (&o.vinfo),
                                      GST_VIDEO_INFO_FPS_N (&o.vinfo));
  return GST_SECOND / DEFAULT_FPS_N;
}

static GstBuffer *
make_black_frame (const GstVideoInfo *out_info)
{
  GstVideoInfo i420;
  gst_video_info_set_format (&i420, GST_VIDEO_FORMAT_I420,
                             GST_VIDEO_INFO_WIDTH (out_info),
                             GST_VIDEO_INFO_HEIGHT (out_info));
  GST_VIDEO_INFO_FPS_N (&i420) = GST_VIDEO_INFO_FPS_N (out_info);
  GST_VIDEO_INFO_FPS_D (&i420) = GST_VIDEO_INFO_FPS_D (out_info);
  GST_VIDEO_INFO_PAR_N (&i420) = GST_VIDEO_INFO_PAR_N (out_info);
  GST_VIDEO_INFO_PAR_D (&i420) = GST_VIDEO_INFO_PAR_D (out_info);
  GstBuffer *src = gst_buffer_new_allocate (nullptr, i420.size, nullptr);
  GstVideoFrame sf;
  if (!gst_video_frame_map (&sf, &i420, src, GST_MAP_WRITE)) {
    gst_buffer_unref (src);
    return nullptr;
  }
  for (int p = 0; p < 3; p++) {
    guint8 *data = (guint8 *)GST_VIDEO_FRAME_PLANE_DATA (&sf, p);
    gint stride = GST_VIDEO_FRAME_PLANE_STRIDE (&sf, p);
    gint h = GST_VIDEO_FRAME_COMP_HEIGHT (&sf, p);
    memset (data, p == 0 ? 16 : 128, (gsize)stride * h);
  }
  GstBuffer *dst = gst_buffer_new_allocate (nullptr, out_info->size, nullptr);
  GstVideoFrame df;
  if (!gst_video_frame_map (&df, out_info, dst, GST_MAP_WRITE)) {
    gst_video_frame_unmap (&sf);
    gst_buffer_unref (src);
    gst_buffer_unref (dst);
    return nullptr;
  }
  GstVideoConverter *conv = gst_video_converter_new (
      &i420, const_cast<GstVideoInfo *> (out_info), nullptr);
  if (conv) {
    gst_video_converter_frame (conv, &sf, &df);
    gst_video_converter_free (conv);
  }
  gst_video_frame_unmap (&df);
  gst_video_frame_unmap (&sf);
  gst_buffer_unref (src);
  return dst;
}

/* Decodes the fallback image to the output caps (loop thread). */
static GstBuffer *
load_fallback_image (GstFailoverSrc *self, const std::string &path,
                     GstCaps *out_caps)
{
  GError *err = nullptr;
  gchar *desc = g_strdup_printf (
      "filesrc name=src ! decodebin ! videoconvert "
      "! videoscale ! capsfilter name=cf ! appsink name=sink sync=false");
  GstElement *pipe = gst_parse_launch (desc, &err);
  g_free (desc);
  if (!pipe) {
    GST_WARNING_OBJECT (self, "cannot build image decoder: %s",
                        err ? err->message : "?");
    g_clear_error (&err);
    return nullptr;
  }
  GstElement *src = gst_bin_get_by_name (GST_BIN (pipe), "src");
  GstElement *cf = gst_bin_get_by_name (GST_BIN (pipe), "cf");
  GstElement *sink = gst_bin_get_by_name (GST_BIN (pipe), "sink");
  g_object_set (src, "location", path.c_str (), nullptr);
  GstCaps *still = gst_caps_copy (out_caps);
  gst_structure_remove_field (gst_caps_get_structure (still, 0), "framerate");
  g_object_set (cf, "caps", still, nullptr);
  gst_caps_unref (still);
  GstBuffer *result = nullptr;
  gst_element_set_state (pipe, GST_STATE_PAUSED);
  GstSample *sample
      = gst_app_sink_try_pull_preroll (GST_APP_SINK (sink), 5 * GST_SECOND);
  if (sample) {
    result = gst_buffer_copy_deep (gst_sample_get_buffer (sample));
    gst_sample_unref (sample);
  } else {
    GST_ELEMENT_WARNING (
        self, RESOURCE, READ,
        ("Cannot decode fallback-image '%s'; black is shown instead.",
         path.c_str ()),
        (nullptr));
  }
  gst_element_set_state (pipe, GST_STATE_NULL);
  gst_object_unref (src);
  gst_object_unref (cf);
  gst_object_unref (sink);
  gst_object_unref (pipe);
  return result;
}

/* Output::lock held. */
static void
set_output_caps_locked (GstFailoverSrc *self, int stream, GstCaps *caps)
{
  Output &o = self->priv->out[stream];
  gst_caps_replace (&o.caps, caps);
  gst_clear_caps (&o.accepted);
  if (stream == VIDEO) {
    if (!gst_video_info_from_caps (&o.vinfo, caps))
      GST_WARNING_OBJECT (self, "unusable video caps %" GST_PTR_FORMAT, caps);
    gst_clear_buffer (&o.black);
    o.black = make_black_frame (&o.vinfo);
  } else if (!gst_audio_info_from_caps (&o.ainfo, caps)) {
    GST_WARNING_OBJECT (self, "unusable audio caps %" GST_PTR_FORMAT, caps);
  }
  gst_app_src_set_caps (GST_APP_SRC (self->priv->appsrc[stream]), caps);
  GST_INFO_OBJECT (self, "%s output caps: %" GST_PTR_FORMAT,
                   stream_names[stream], caps);
}

/* Loop thread: converts every running candidate to the output caps now
 * that they are known, and prepares the fallback image. */
static void
on_output_caps_known (GstFailoverSrc *self, int stream)
{
  auto *priv = self->priv;
  GstCaps *caps = branch_caps (self, stream);
  std::vector<std::shared_ptr<Run>> runs;
  {
    std::lock_guard<std::mutex> g (priv->state_lock);
    for (auto &kv : priv->runs)
      runs.push_back (kv.second);
  }
  for (auto &r : runs)
    g_object_set (r->branches[stream].capsfilter, "caps", caps, nullptr);
  if (stream == VIDEO) {
    std::string path;
    {
      std::lock_guard<std::mutex> g (priv->settings_lock);
      path = priv->settings.fallback_image;
    }
    bool need;
    {
      std::lock_guard<std::mutex> g (priv->out[VIDEO].lock);
      need = !path.empty () && !priv->out[VIDEO].image_tried;
      priv->out[VIDEO].image_tried = true;
    }
    if (need) {
      GstBuffer *img = load_fallback_image (self, path, caps);
      std::lock_guard<std::mutex> g (priv->out[VIDEO].lock);
      gst_clear_buffer (&priv->out[VIDEO].image);
      priv->out[VIDEO].image = img;
    }
  }
  gst_caps_unref (caps);
}

static void
post_switch_message (GstFailoverSrc *self, const PendingSwitch &p,
                     GstClockTime gap)
{
  std::uint64_t gap_ms = GST_CLOCK_TIME_IS_VALID (gap) ? gap / GST_MSECOND : 0;
  {
    std::lock_guard<std::mutex> g (self->priv->state_lock);
    self->priv->stats.last_gap_ms = gap_ms;
    self->priv->stats.max_gap_ms
        = std::max (self->priv->stats.max_gap_ms, gap_ms);
  }
  GST_INFO_OBJECT (self,
                   "switched %d -> %d (%s), gap %" G_GUINT64_FORMAT
                   " ms, detect %" G_GUINT64_FORMAT " ms",
                   p.from, p.to, p.reason.c_str (), gap_ms, p.detect_ms);
  resilient::gst::post_element_message (
      GST_ELEMENT (self),
      gst_structure_new (
          "failoversrc-switch", "from-index", G_TYPE_INT, p.from, "to-index",
          G_TYPE_INT, p.to, "from-uri", G_TYPE_STRING, p.from_uri.c_str (),
          "to-uri", G_TYPE_STRING, p.to_uri.c_str (), "reason", G_TYPE_STRING,
          p.reason.c_str (), "cause-index", G_TYPE_INT, p.cause_index, "gap-ms",
          G_TYPE_UINT64, gap_ms, "detect-ms", G_TYPE_UINT64, p.detect_ms,
          "filler-ms", G_TYPE_UINT64, p.filler_ms, nullptr));
}

/* Pushes one buffer to an output stream, re-timestamped to `pts` (running
 * time). `source` is the run id (0 = filler), `index` the candidate index
 * for the origin meta. Takes ownership of `buf`. Any thread. */
static void
push_output (GstFailoverSrc *self, int stream, GstBuffer *buf, GstClockTime pts,
             std::uint64_t source, int index, GstCaps *caps)
{
  auto *priv = self->priv;
  Output &o = priv->out[stream];
  bool caps_now_known = false;
  std::optional<PendingSwitch> done;
  GstClockTime gap = GST_CLOCK_TIME_NONE;
  {
    std::lock_guard<std::mutex> g (o.lock);
    if (caps && !o.caps) {
      /* Lock onto the first candidate's format. */
      GstCaps *fixed = gst_caps_fixate (gst_caps_copy (caps));
      set_output_caps_locked (self, stream, fixed);
      gst_caps_unref (fixed);
      caps_now_known = true;
    }
    if (!o.caps
        || (caps && caps != o.accepted && !gst_caps_is_subset (caps, o.caps))) {
      /* Not (yet) converted to the output format. */
      GST_LOG_OBJECT (self, "%s: dropping sample in caps %" GST_PTR_FORMAT,
                      stream_names[stream], caps);
      gst_buffer_unref (buf);
      goto out;
    }
    if (caps && caps != o.accepted)
      gst_caps_replace (&o.accepted, caps);
    OutputTimeline::Placement place;
    if (stream == VIDEO) {
      place = o.timeline.place_video (from_ns (pts),
                                      from_ns (frame_duration (o)));
    } else {
      gsize bpf = GST_AUDIO_INFO_BPF (&o.ainfo);
      gsize samples = bpf ? gst_buffer_get_size (buf) / bpf : 0;
      if (samples == 0 || GST_AUDIO_INFO_RATE (&o.ainfo) <= 0) {
        gst_buffer_unref (buf);
        goto out;
      }
      place = o.timeline.place_audio (from_ns (pts), samples,
                                      GST_AUDIO_INFO_RATE (&o.ainfo));
      if (!place.drop && place.trim_samples > 0)
        buf = gst_audio_buffer_truncate (buf, bpf, place.trim_samples,
                                         samples - place.trim_samples);
    }
    if (place.drop) {
      /* Behind what already went out (overlap across a switch). */
      GST_LOG_OBJECT (self,
                      "%s: dropping buffer of %" G_GUINT64_FORMAT
                      " at %" GST_TIME_FORMAT " behind the output end",
                      stream_names[stream], (guint64)source,
                      GST_TIME_ARGS (pts));
      gst_buffer_unref (buf);
      goto out;
    }
    pts = to_ns (place.pts);
    buf = gst_buffer_make_writable (buf);
    GST_BUFFER_PTS (buf) = pts;
    GST_BUFFER_DTS (buf) = GST_CLOCK_TIME_NONE;
    GST_BUFFER_DURATION (buf) = to_ns (place.duration);
    GST_BUFFER_OFFSET (buf) = GST_BUFFER_OFFSET_NONE;
    GST_BUFFER_OFFSET_END (buf) = GST_BUFFER_OFFSET_NONE;
    if (o.timeline.discont (source)) {
      GST_BUFFER_FLAG_SET (buf, GST_BUFFER_FLAG_DISCONT);
      if (stream == AUDIO)
        GST_BUFFER_FLAG_SET (buf, GST_BUFFER_FLAG_RESYNC);
    } else {
      GST_BUFFER_FLAG_UNSET (buf, GST_BUFFER_FLAG_DISCONT);
    }
    if (origin_meta_info) {
      GstMeta *meta = gst_buffer_get_meta (buf, origin_meta_info->api);
      if (!meta)
        meta = gst_buffer_add_meta (buf, origin_meta_info, nullptr);
      if (meta) {
        GstStructure *ms
            = gst_custom_meta_get_structure ((GstCustomMeta *)meta);
        gst_structure_id_set (ms, q_index, G_TYPE_INT, index, q_source,
                              G_TYPE_UINT64, (guint64)source, nullptr);
      }
    }
    {
      std::lock_guard<std::mutex> sg (priv->switch_lock);
      if (priv->pending.armed && priv->pending.source == source) {
        done = priv->pending;
        priv->pending.armed = false;
        gap = to_ns (o.timeline.switch_gap (from_ns (pts),
                                            priv->pending.from >= 0));
      }
    }
    o.timeline.commit (place.pts, place.duration, source, stream == VIDEO);
    if (stream == VIDEO && source != 0)
      gst_buffer_replace (&o.last_frame, buf);
    GST_LOG_OBJECT (self,
                    "%s: push from %" G_GUINT64_FORMAT " at %" GST_TIME_FORMAT,
                    stream_names[stream], (guint64)source, GST_TIME_ARGS (pts));
    if (priv->enabled[stream].load ())
      gst_app_src_push_buffer (GST_APP_SRC (priv->appsrc[stream]), buf);
    else
      gst_buffer_unref (buf);
  }
out:
  if (caps_now_known) {
    priv->loop.post ([keep = SelfRef (self), stream] {
      GstFailoverSrc *self = keep.p;
      on_output_caps_known (self, stream);
    });
  }
  if (done) {
    PendingSwitch p = *done;
    priv->loop.post ([keep = SelfRef (self), p, gap] {
      GstFailoverSrc *self = keep.p;
      post_switch_message (self, p, gap);
    });
  }
}

/* How long a stream of the active candidate may lack data before filler
 * covers it; also how late a candidate may run before it is re-anchored. */
static GstClockTime
starve_threshold (GstFailoverSrcPrivate *priv)
{
  return to_ns (resilient::failover::starve_threshold (
      from_ns (priv->latency_ns.load ())));
}

/* ---- candidate runs: streaming-thread side ------------------------------ */

static void
record_buffer (Run *run, GstClockTime now)
{
  run->buffers.fetch_add (1, std::memory_order_relaxed);
  run->last_buffer_ns.store ((gint64)now, std::memory_order_relaxed);
}

static GstPadProbeReturn
decoded_probe (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  /* EOS is acted on when it reaches the candidate's appsink: the
   * media still queued in the branch plays out first, and the hot standby's
   * next frame is already waiting, so the switch costs about one frame. */
  auto *run = static_cast<Run *> (user_data);
  if (info->type & GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM) {
    /* A live candidate's content is shown as it arrives: nothing worth
     * waiting for is queued behind its EOS, so it fails at once (a file's
     * EOS waits for its paced content, at the appsink). */
    GstEvent *ev = GST_PAD_PROBE_INFO_EVENT (info);
    if (GST_EVENT_TYPE (ev) == GST_EVENT_EOS && run->kind == InputKind::Live
        && !run->stopping.load ())
      report_failure (run->self, run->id, run->index, FailureReason::Eos,
                      false, "end of stream from the live input",
                      running_now (run->self));
    return GST_PAD_PROBE_OK;
  }
  record_buffer (run, running_now (run->self));
  GstCaps *caps = gst_pad_get_current_caps (pad);
  const int st = caps
                         && g_str_has_prefix (gst_structure_get_name (
                                                  gst_caps_get_structure (caps, 0)),
                                              "audio/")
                     ? AUDIO
                     : VIDEO;
  if (caps)
    gst_caps_unref (caps);
  GstClockTime dur = GST_CLOCK_TIME_NONE;
  if (info->type & GST_PAD_PROBE_TYPE_BUFFER) {
    GstBuffer *b = GST_PAD_PROBE_INFO_BUFFER (info);
    dur = GST_BUFFER_DURATION (b);
    /* Frames decoded from RTP (WHEP) carry no duration: the distance to the
     * previous frame stands in, at most CONTENT_MAX_FRAME_NS so that a
     * freeze never counts as content. */
    const GstClockTime pts = GST_BUFFER_PTS (b);
    if (GST_CLOCK_TIME_IS_VALID (pts)) {
      const GstClockTime prev = run->last_pts[st].exchange (pts);
      if (!GST_CLOCK_TIME_IS_VALID (dur) && GST_CLOCK_TIME_IS_VALID (prev)
          && pts > prev)
        dur = std::min<GstClockTime> (pts - prev, CONTENT_MAX_FRAME_NS);
    }
  } else if (info->type & GST_PAD_PROBE_TYPE_BUFFER_LIST) {
    GstBufferList *l = GST_PAD_PROBE_INFO_BUFFER_LIST (info);
    dur = 0;
    for (guint i = 0; i < gst_buffer_list_length (l); i++) {
      GstClockTime d = GST_BUFFER_DURATION (gst_buffer_list_get (l, i));
      dur += GST_CLOCK_TIME_IS_VALID (d) ? d : 0;
    }
  }
  if (GST_CLOCK_TIME_IS_VALID (dur))
    run->content_ns[st].fetch_add (dur, std::memory_order_relaxed);
  return GST_PAD_PROBE_OK;
}

static gsize
probe_size (GstPadProbeInfo *info)
{
  if (info->type & GST_PAD_PROBE_TYPE_BUFFER)
    return gst_buffer_get_size (GST_PAD_PROBE_INFO_BUFFER (info));
  if (info->type & GST_PAD_PROBE_TYPE_BUFFER_LIST)
    return gst_buffer_list_calculate_size (
        GST_PAD_PROBE_INFO_BUFFER_LIST (info));
  return 0;
}

static GstPadProbeReturn
encoded_bytes_probe (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  auto *run = static_cast<Run *> (user_data);
  run->bytes.fetch_add (probe_size (info), std::memory_order_relaxed);
  return GST_PAD_PROBE_OK;
}

/* Bytes out of the candidate's source element (the undecodable check). */
static GstPadProbeReturn
source_bytes_probe (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  auto *run = static_cast<Run *> (user_data);
  run->source_bytes.fetch_add (probe_size (info), std::memory_order_relaxed);
  return GST_PAD_PROBE_OK;
}

/* A buffer into a parser or decoder: a demuxer made sense of the stream. */
static GstPadProbeReturn
parsed_probe (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  auto *run = static_cast<Run *> (user_data);
  run->parsed_buffers.fetch_add (1, std::memory_order_relaxed);
  return GST_PAD_PROBE_OK;
}

static void
add_buffer_probe (GstElement *element, const char *pad_name,
                  GstPadProbeCallback cb, Run *run)
{
  GstPad *pad = gst_element_get_static_pad (element, pad_name);
  if (!pad)
    return; /* e.g. a source bin with sometimes pads: not counted */
  gst_pad_add_probe (pad,
                     (GstPadProbeType)(GST_PAD_PROBE_TYPE_BUFFER
                                       | GST_PAD_PROBE_TYPE_BUFFER_LIST),
                     cb, run, nullptr);
  gst_object_unref (pad);
}

static void
deep_element_added (GstBin *bin, GstBin *sub_bin, GstElement *element,
                    gpointer user_data)
{
  Run *run = static_cast<std::shared_ptr<Run> *> (user_data)->get ();
  GstElementFactory *f = gst_element_get_factory (element);
  if (!f)
    return;
  const gchar *klass
      = gst_element_factory_get_metadata (f, GST_ELEMENT_METADATA_KLASS);
  /* Not bins: decodebin's class is "Generic/Bin/Decoder" and it takes the
   * container bytes, garbage included. */
  if (klass && !GST_IS_BIN (element)
      && (strstr (klass, "Parser") || strstr (klass, "Decoder")))
    add_buffer_probe (element, "sink", parsed_probe, run);
  if (!klass || !strstr (klass, "Decoder"))
    return;
  GstPad *sink = gst_element_get_static_pad (element, "sink");
  if (!sink)
    return;
  gst_pad_add_probe (sink,
                     (GstPadProbeType)(GST_PAD_PROBE_TYPE_BUFFER
                                       | GST_PAD_PROBE_TYPE_BUFFER_LIST),
                     encoded_bytes_probe, run, nullptr);
  gst_object_unref (sink);
}

static void
pad_added (GstElement *decodebin, GstPad *pad, gpointer user_data)
{
  Run *run = static_cast<std::shared_ptr<Run> *> (user_data)->get ();
  GstCaps *caps = gst_pad_get_current_caps (pad);
  if (!caps)
    caps = gst_pad_query_caps (pad, nullptr);
  const gchar *name = gst_structure_get_name (gst_caps_get_structure (caps, 0));
  int stream = -1;
  if (g_str_has_prefix (name, "video/"))
    stream = VIDEO;
  else if (g_str_has_prefix (name, "audio/"))
    stream = AUDIO;
  gst_caps_unref (caps);
  if (stream < 0 || !run->self->priv->enabled[stream].load ())
    return; /* disabled output: not decoded further */
  Branch &b = run->branches[stream];
  bool expected = false;
  if (!b.linked.compare_exchange_strong (expected, true))
    return; /* second stream of a kind: not used */
  GstPad *sink = gst_element_get_static_pad (b.queue, "sink");
  GstPadLinkReturn ret = gst_pad_link (pad, sink);
  gst_object_unref (sink);
  if (ret != GST_PAD_LINK_OK) {
    GST_WARNING_OBJECT (run->self, "candidate %d: cannot link %s pad: %d",
                        run->index, stream_names[stream], ret);
    return;
  }
  run->has_stream[stream] = true;
  gst_pad_add_probe (pad,
                     (GstPadProbeType)(GST_PAD_PROBE_TYPE_BUFFER
                                       | GST_PAD_PROBE_TYPE_BUFFER_LIST
                                       | GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM),
                     decoded_probe, run, nullptr);
  GST_DEBUG_OBJECT (run->self, "candidate %d: %s stream linked", run->index,
                    stream_names[stream]);
}

static void
pad_removed (GstElement *decodebin, GstPad *pad, gpointer user_data)
{
  Run *run = static_cast<std::shared_ptr<Run> *> (user_data)->get ();
  if (run->stopping.load () || !gst_pad_is_linked (pad))
    return;
  report_failure (run->self, run->id, run->index, FailureReason::PadRemoved,
                  false, "decoded pad removed", running_now (run->self));
}

static void
no_more_pads (GstElement *decodebin, gpointer user_data)
{
  Run *run = static_cast<std::shared_ptr<Run> *> (user_data)->get ();
  run->no_more_pads = true;
}

static void
source_setup (GstElement *decodebin, GstElement *source, gpointer user_data)
{
  Run *run = static_cast<std::shared_ptr<Run> *> (user_data)->get ();
  /* rtspsrc buffers 2 s by default; the element's own latency is what
   * absorbs jitter here. */
  if (g_str_equal (G_OBJECT_TYPE_NAME (source), "GstRTSPSrc")) {
    guint latency_ms
        = (guint)(run->self->priv->latency_ns.load () / GST_MSECOND);
    g_object_set (source, "latency", std::max (latency_ms, 100u), nullptr);
  }
  /* reswhepsrc (whep:// and wheps://) reports its failure as a
   * reswhepsrc-failure element message, classified fatal or transient with
   * the HTTP status and Retry-After; we act on that message (see
   * handle_message), so its ERROR is not wanted: a WARNING is enough. */
  if (g_str_equal (G_OBJECT_TYPE_NAME (source), "GstResWhepSrc")
      && g_object_class_find_property (G_OBJECT_GET_CLASS (source),
                                       "error-on-failure"))
    g_object_set (source, "error-on-failure", FALSE, nullptr);
  add_buffer_probe (source, "src", source_bytes_probe, run);
  GST_DEBUG_OBJECT (run->self, "candidate %d source: %s", run->index,
                    G_OBJECT_TYPE_NAME (source));
}

/* Waits on the clock until running time `rt`; false when interrupted. */
static bool
pace (Run *run, GstClock *clock, GstClockTime base, GstClockTime rt)
{
  GstClockID id = gst_clock_new_single_shot_id (clock, base + rt);
  {
    std::lock_guard<std::mutex> g (run->wait_lock);
    if (run->stopping.load ()) {
      gst_clock_id_unref (id);
      return false;
    }
    run->wait_id = id;
  }
  GstClockReturn ret = gst_clock_id_wait (id, nullptr);
  {
    std::lock_guard<std::mutex> g (run->wait_lock);
    run->wait_id = nullptr;
  }
  gst_clock_id_unref (id);
  return ret != GST_CLOCK_UNSCHEDULED && !run->stopping.load ();
}

static GstFlowReturn
new_sample (GstAppSink *sink, gpointer user_data)
{
  auto *b = static_cast<Branch *> (user_data);
  Run *run = b->run;
  GstFailoverSrc *self = run->self;
  auto *priv = self->priv;
  GstSample *sample = gst_app_sink_pull_sample (sink);
  if (!sample)
    return GST_FLOW_FLUSHING;
  GstBuffer *buf = gst_sample_get_buffer (sample);
  const GstSegment *seg = gst_sample_get_segment (sample);
  GstClock *clock = priv->clock.load ();
  if (!buf || !seg || !clock || run->stopping.load ()
      || !GST_BUFFER_PTS_IS_VALID (buf)) {
    gst_sample_unref (sample);
    return GST_FLOW_OK;
  }
  GstClockTime base = priv->base_time.load ();
  guint64 brt = gst_segment_to_running_time (seg, GST_FORMAT_TIME,
                                             GST_BUFFER_PTS (buf));
  if (!GST_CLOCK_TIME_IS_VALID (brt)) {
    gst_sample_unref (sample);
    return GST_FLOW_OK;
  }
  GstClockTime now = running_now (self);
  CandidateTimeline::Sample in;
  in.stream = b->stream;
  in.running_time = from_ns (brt);
  in.now = from_ns (now);
  in.live = run->kind == InputKind::Live;
  in.active = priv->active_source.load () == run->id;
  in.late_limit = from_ns (starve_threshold (priv));
  if (in.active) {
    /* Where filler covering this stream has got to, if it is covering it. */
    Output &o = priv->out[b->stream];
    std::lock_guard<std::mutex> g (o.lock);
    in.filler_end = o.timeline.filler_end ();
  }
  CandidateTimeline::Mapping map;
  {
    std::lock_guard<std::mutex> g (run->timeline_lock);
    map = run->timeline.map (in);
  }
  if (map.reanchored)
    GST_DEBUG_OBJECT (self, "candidate %d fell behind, re-anchoring",
                      run->index);
  const gint64 out = map.out_ns;
  const bool stale = map.stale;
  if (stale) {
    record_buffer (run, now);
    gst_sample_unref (sample);
    return GST_FLOW_OK;
  }
  GST_LOG_OBJECT (self,
                  "candidate %d %s sample rt %" GST_TIME_FORMAT
                  " -> %" GST_STIME_FORMAT " (now %" GST_TIME_FORMAT ")",
                  run->index, stream_names[b->stream], GST_TIME_ARGS (brt),
                  GST_STIME_ARGS (out), GST_TIME_ARGS (now));
  /* A sample due within half the starving threshold is pushed early rather
   * than waited for: the PTS is what sinks sync on, and a live candidate's
   * faster stream (audio, mapped to the slower video's live edge, about one
   * audio buffer later) would otherwise cost a clock wait, one more thread
   * wake-up, for every buffer. */
  if (CandidateTimeline::must_wait (out, in.now, in.late_limit)) {
    if (!pace (run, clock, base, (GstClockTime)out)) {
      gst_sample_unref (sample);
      return GST_FLOW_OK;
    }
  }
  /* Content still reaching the output keeps the candidate alive: a file
   * or a burst is decoded ahead and paced here, so its decoder falls
   * silent long before its content has been shown. */
  record_buffer (run, running_now (self));
  if (priv->active_source.load () == run->id && !run->stopping.load ()) {
    /* Drop the sample's references first, so the buffer is usually
     * writable in place (no copy in push_output). */
    GstBuffer *own = gst_buffer_ref (buf);
    GstCaps *caps = gst_sample_get_caps (sample);
    if (caps)
      gst_caps_ref (caps);
    gst_sample_unref (sample);
    push_output (self, b->stream, own, (GstClockTime)out, run->id,
                 run->index, caps);
    if (caps)
      gst_caps_unref (caps);
    std::lock_guard<std::mutex> g (b->latest_lock);
    gst_clear_buffer (&b->latest);
    gst_clear_caps (&b->latest_caps);
    return GST_FLOW_OK;
  }
  if (b->stream == VIDEO && !run->stopping.load ()) {
    std::lock_guard<std::mutex> g (b->latest_lock);
    gst_buffer_replace (&b->latest, buf);
    gst_caps_replace (&b->latest_caps, gst_sample_get_caps (sample));
  }
  gst_sample_unref (sample);
  return GST_FLOW_OK;
}

/* EOS reached the candidate's appsink: everything it decoded went out. The
 * bins' own EOS aggregation does not apply (the appsinks are not flagged as
 * sinks, so the pipeline never waits for them). */
static void
appsink_eos (GstAppSink *sink, gpointer user_data)
{
  auto *b = static_cast<Branch *> (user_data);
  Run *run = b->run;
  if (!run->stopping.load ())
    report_failure (run->self, run->id, run->index, FailureReason::Eos, false,
                    std::string ("end of stream on the ")
                        + stream_names[b->stream] + " branch",
                    running_now (run->self));
}

/* ---- candidate runs: loop side ------------------------------------------ */

static void
holder_free (gpointer data)
{
  delete static_cast<std::shared_ptr<Run> *> (data);
}

static GstElement *
make (const char *factory)
{
  GstElement *e = gst_element_factory_make (factory, nullptr);
  if (!e)
    GST_WARNING ("failoversrc: missing element %s", factory);
  return e;
}

static std::shared_ptr<Run>
build_run (GstFailoverSrc *self, int index, const Candidate &c,
           std::uint64_t id, const Settings &s)
{
  auto run = std::make_shared<Run> ();
  run->self = self;
  run->index = index;
  run->id = id;
  run->uri = c.uri;
  run->safe_uri = redact_uri (c.uri);
  run->kind = c.kind;

  gchar *name = g_strdup_printf ("candidate%d-%" G_GUINT64_FORMAT, index, id);
  run->bin = gst_bin_new (name);
  g_free (name);
  run->decodebin = make ("uridecodebin");
  if (!run->decodebin)
    return run;
  g_object_set (run->decodebin, "uri", c.uri.c_str (), nullptr);
  gst_bin_add (GST_BIN (run->bin), run->decodebin);

  for (int st = 0; st < 2; st++) {
    Branch &b = run->branches[st];
    b.run = run.get ();
    b.stream = st;
    b.queue = make ("queue");
    GstElement *conv = make (st == VIDEO ? "videoconvert" : "audioconvert");
    GstElement *scale = make (st == VIDEO ? "videoscale" : "audioresample");
    GstElement *rate = st == VIDEO ? make ("videorate") : nullptr;
    b.capsfilter = make ("capsfilter");
    b.appsink = make ("appsink");
    if (!b.queue || !conv || !scale || (st == VIDEO && !rate) || !b.capsfilter
        || !b.appsink) {
      run->decodebin = nullptr;
      return run;
    }
    g_object_set (b.queue, "max-size-buffers", 0, "max-size-bytes", 0,
                  "max-size-time", (guint64)GST_SECOND, nullptr);
    GstCaps *caps = branch_caps (self, st);
    g_object_set (b.capsfilter, "caps", caps, nullptr);
    gst_caps_unref (caps);
    g_object_set (b.appsink, "sync", FALSE, "async", FALSE,
                  "enable-last-sample", FALSE, "max-buffers", 2, "qos", FALSE,
                  nullptr);
    /* The candidate's sinks are not sinks of the pipeline. */
    GST_OBJECT_FLAG_UNSET (b.appsink, GST_ELEMENT_FLAG_SINK);
    gst_bin_add_many (GST_BIN (run->bin), b.queue, conv, scale, b.capsfilter,
                      b.appsink, nullptr);
    if (rate) {
      gst_bin_add (GST_BIN (run->bin), rate);
      gst_element_link_many (b.queue, conv, scale, rate, b.capsfilter,
                             b.appsink, nullptr);
    } else {
      gst_element_link_many (b.queue, conv, scale, b.capsfilter, b.appsink,
                             nullptr);
    }
    GstAppSinkCallbacks cbs = {};
    cbs.new_sample = new_sample;
    cbs.eos = appsink_eos;
    /* The Branch lives in the Run, which outlives the appsink's streaming
     * (runs are torn down to NULL before they are released). */
    gst_app_sink_set_callbacks (GST_APP_SINK (b.appsink), &cbs, &b, nullptr);
  }
  GST_OBJECT_FLAG_UNSET (run->bin, GST_ELEMENT_FLAG_SINK);

  g_signal_connect_data (run->decodebin, "pad-added", G_CALLBACK (pad_added),
                         new std::shared_ptr<Run> (run),
                         (GClosureNotify)holder_free, (GConnectFlags)0);
  g_signal_connect_data (run->decodebin, "pad-removed",
                         G_CALLBACK (pad_removed),
                         new std::shared_ptr<Run> (run),
                         (GClosureNotify)holder_free, (GConnectFlags)0);
  g_signal_connect_data (run->decodebin, "no-more-pads",
                         G_CALLBACK (no_more_pads),
                         new std::shared_ptr<Run> (run),
                         (GClosureNotify)holder_free, (GConnectFlags)0);
  g_signal_connect_data (run->decodebin, "source-setup",
                         G_CALLBACK (source_setup),
                         new std::shared_ptr<Run> (run),
                         (GClosureNotify)holder_free, (GConnectFlags)0);
  g_signal_connect_data (run->bin, "deep-element-added",
                         G_CALLBACK (deep_element_added),
                         new std::shared_ptr<Run> (run),
                         (GClosureNotify)holder_free, (GConnectFlags)0);

  run->health = std::make_unique<HealthMonitor> (health_config (s), c.kind,
                                                 tp (running_now (self)));
  return run;
}

/* call_async pool: start a candidate's sub-bin. */
static void
async_start (GstElement *element, gpointer user_data)
{
  auto *holder = static_cast<std::shared_ptr<Run> *> (user_data);
  std::shared_ptr<Run> run = *holder;
  delete holder;
  auto *self = GST_FAILOVER_SRC (element);
  std::lock_guard<std::mutex> g (run->op_lock);
  if (run->stopping.load ())
    return;
  GstStateChangeReturn ret
      = gst_element_set_state (run->bin, GST_STATE_PLAYING);
  /* uridecodebin prerolls asynchronously and a bin that is not top-level
   * stops in PAUSED once its children are done: wait (in slices, so a stop
   * is not held up) and ask for PLAYING again. */
  while (ret == GST_STATE_CHANGE_ASYNC && !run->stopping.load ())
    ret = gst_element_get_state (run->bin, nullptr, nullptr, 100 * GST_MSECOND);
  if (ret != GST_STATE_CHANGE_FAILURE && !run->stopping.load ())
    ret = gst_element_set_state (run->bin, GST_STATE_PLAYING);
  if (ret == GST_STATE_CHANGE_FAILURE && !run->stopping.load ())
    report_failure (self, run->id, run->index, FailureReason::Error, false,
                    "could not start", running_now (self));
}

static void
teardown_run_sync (GstFailoverSrc *self, const std::shared_ptr<Run> &run)
{
  std::lock_guard<std::mutex> g (run->op_lock);
  gst_element_set_state (run->bin, GST_STATE_NULL);
  if (GST_OBJECT_PARENT (run->bin) == GST_OBJECT (self))
    gst_bin_remove (GST_BIN (self), run->bin);
}

static void
async_stop (GstElement *element, gpointer user_data)
{
  auto *holder = static_cast<std::shared_ptr<Run> *> (user_data);
  std::shared_ptr<Run> run = *holder;
  delete holder;
  teardown_run_sync (GST_FAILOVER_SRC (element), run);
}

/* Marks a run as stopping and releases its streaming thread. */
static void
interrupt_run (Run *run)
{
  run->stopping = true;
  std::lock_guard<std::mutex> g (run->wait_lock);
  if (run->wait_id)
    gst_clock_id_unschedule (run->wait_id);
}

/* Loop thread. */
static void
start_candidate (GstFailoverSrc *self, int index)
{
  auto *priv = self->priv;
  Settings s;
  {
    std::lock_guard<std::mutex> g (priv->settings_lock);
    s.timeout = priv->settings.timeout;
    s.adaptive_timeout = priv->settings.adaptive_timeout;
    s.startup_timeout = priv->settings.startup_timeout;
    s.min_bitrate = priv->settings.min_bitrate;
    s.bitrate_window = priv->settings.bitrate_window;
    s.low_bitrate_windows = priv->settings.low_bitrate_windows;
  }
  Candidate c;
  std::uint64_t id;
  std::shared_ptr<resilient::cluster::ClusterClient> cluster;
  {
    std::lock_guard<std::mutex> g (priv->state_lock);
    c = priv->candidates.at (index);
    id = priv->next_run_id++;
    auto it = priv->clusters.find (index);
    if (it != priv->clusters.end ())
      cluster = it->second;
  }
  if (cluster) {
    auto attempt = cluster->next ();
    if (!attempt) {
      std::vector<Action> acts;
      {
        std::lock_guard<std::mutex> g (priv->state_lock);
        GstClockTime now = running_now (self);
        if (!priv->policy)
          return;
        acts = priv->policy->on_failure (
            index, FailureReason::Error, false,
            "no host of cluster '" + cluster->cluster_id () + "' can serve '"
                + cluster->path () + "' (" + cluster->last_note () + ")",
            tp (now), tp (now));
      }
      run_actions (self, std::move (acts));
      return;
    }
    Candidate resolved = parse_candidate (attempt->url);
    {
      std::lock_guard<std::mutex> g (priv->state_lock);
      if (index < (int)priv->cand_stats.size ())
        priv->cand_stats[index].host_uri = redact_uri (attempt->url);
    }
    c.uri = attempt->url;
    c.scheme = resolved.scheme;
    c.kind = resolved.kind;
  }
  auto run = build_run (self, index, c, id, s);
  if (run && !run->decodebin) {
    gst_object_unref (gst_object_ref_sink (run->bin));
    run = nullptr;
  }
  if (!run) {
    std::vector<Action> acts;
    {
      std::lock_guard<std::mutex> g (priv->state_lock);
      GstClockTime now = running_now (self);
      acts = priv->policy->on_failure (
          index, FailureReason::Unsupported, true,
          "a required GStreamer element (uridecodebin, converters, appsink) "
          "is missing",
          tp (now), tp (now));
    }
    run_actions (self, std::move (acts));
    return;
  }
  GST_INFO_OBJECT (self, "starting candidate %d (%s)", index,
                   run->safe_uri.c_str ());
  {
    std::lock_guard<std::mutex> g (priv->state_lock);
    priv->runs[index] = run;
  }
  gst_element_set_locked_state (run->bin, TRUE);
  gst_bin_add (GST_BIN (self), run->bin);
  GstClock *clock = priv->clock.load ();
  if (clock)
    gst_element_set_clock (run->bin, clock);
  gst_element_set_base_time (run->bin, priv->base_time.load ());
  gst_element_set_start_time (run->bin, GST_CLOCK_TIME_NONE);
  gst_element_call_async (GST_ELEMENT (self), async_start,
                          new std::shared_ptr<Run> (run), nullptr);
}

/* Loop thread. */
static void
stop_candidate (GstFailoverSrc *self, int index)
{
  auto *priv = self->priv;
  std::shared_ptr<Run> run;
  {
    std::lock_guard<std::mutex> g (priv->state_lock);
    auto it = priv->runs.find (index);
    if (it == priv->runs.end ())
      return;
    run = it->second;
    priv->runs.erase (it);
  }
  GST_INFO_OBJECT (self, "stopping candidate %d", index);
  interrupt_run (run.get ());
  gst_element_call_async (GST_ELEMENT (self), async_stop,
                          new std::shared_ptr<Run> (run), nullptr);
}

/* ---- failures and actions (loop thread) --------------------------------- */

/* Right after a switch to a running candidate: its newest video frame
 * (kept while it was not on the output) goes out now, so a hot standby is
 * on air at once rather than at its next frame. Loop thread. */
static void
put_latest_frame_out (GstFailoverSrc *self, int index, std::uint64_t source)
{
  auto *priv = self->priv;
  std::shared_ptr<Run> run;
  {
    std::lock_guard<std::mutex> g (priv->state_lock);
    auto it = priv->runs.find (index);
    if (it != priv->runs.end () && it->second->id == source)
      run = it->second;
  }
  if (!run || run->stopping.load ())
    return;
  Branch &b = run->branches[VIDEO];
  GstBuffer *buf = nullptr;
  GstCaps *caps = nullptr;
  {
    std::lock_guard<std::mutex> g (b.latest_lock);
    buf = b.latest;
    caps = b.latest_caps;
    b.latest = nullptr;
    b.latest_caps = nullptr;
  }
  GstClockTime now = running_now (self);
  if (buf && caps && GST_CLOCK_TIME_IS_VALID (now)
      && priv->active_source.load () == source) {
    GST_DEBUG_OBJECT (self, "candidate %d: newest frame out at the switch",
                      index);
    push_output (self, VIDEO, buf, now, source, index, caps);
    buf = nullptr;
  }
  gst_clear_buffer (&buf);
  gst_clear_caps (&caps);
}

static void
handle_failure (GstFailoverSrc *self, std::uint64_t run_id, int index,
                FailureReason reason, bool fatal, std::string detail,
                GstClockTime first_sign, Duration retry_floor)
{
  auto *priv = self->priv;
  std::vector<Action> acts;
  std::shared_ptr<resilient::cluster::ClusterClient> cluster;
  {
    std::lock_guard<std::mutex> g (priv->state_lock);
    auto it = priv->runs.find (index);
    if (!priv->policy || it == priv->runs.end () || it->second->id != run_id)
      return; /* stale: that run is gone */
    GstClockTime now = running_now (self);
    acts = priv->policy->on_failure (index, reason, fatal, detail,
                                     tp (first_sign), tp (now), retry_floor);
    auto c = priv->clusters.find (index);
    if (c != priv->clusters.end ())
      cluster = c->second;
  }
  if (cluster)
    cluster->failed (reason_name (reason));
  run_actions (self, std::move (acts));
}

/* Any thread: the first failure of a run goes to the loop. */
static void
report_failure (GstFailoverSrc *self, std::uint64_t run_id, int index,
                FailureReason reason, bool fatal, std::string detail,
                GstClockTime first_sign, Duration retry_floor)
{
  auto *priv = self->priv;
  std::shared_ptr<Run> run;
  {
    std::lock_guard<std::mutex> g (priv->state_lock);
    auto it = priv->runs.find (index);
    if (it != priv->runs.end () && it->second->id == run_id)
      run = it->second;
  }
  if (run) {
    bool expected = false;
    if (!run->failed_reported.compare_exchange_strong (expected, true))
      return;
    /* The active candidate stops feeding the output at once. */
    if (priv->active_source.load () == run_id)
      run->stopping = true;
  }
  priv->loop.post ([keep = SelfRef (self), run_id, index, reason, fatal, detail,
                    first_sign, retry_floor] {
    GstFailoverSrc *self = keep.p;
    handle_failure (self, run_id, index, reason, fatal, detail, first_sign,
                    retry_floor);
  });
}

static GstFailoverSrcStatus
compute_status_locked (GstFailoverSrcPrivate *priv, GstClockTime now)
{
  if (!priv->playing || !priv->policy)
    return GST_FAILOVER_SRC_STATUS_STOPPED;
  int active = priv->policy->active ();
  if (active < 0) {
    /* Starting: nothing was on the output yet and a candidate may still
     * come up. */
    bool starting = false;
    if (!priv->ever_active) {
      for (std::size_t i = 0; i < priv->policy->size (); i++)
        starting |= priv->policy->state ((int)i) == CandidateState::Starting;
    }
    return starting ? GST_FAILOVER_SRC_STATUS_STARTING
                    : GST_FAILOVER_SRC_STATUS_FILLER;
  }
  /* "The first candidate": index 0 of the list, even when it was given up
   * (then the output is on a backup for good). */
  return active == 0 ? GST_FAILOVER_SRC_STATUS_LIVE
                     : GST_FAILOVER_SRC_STATUS_BACKUP;
}

static void
update_status (GstFailoverSrc *self)
{
  auto *priv = self->priv;
  bool changed;
  {
    std::lock_guard<std::mutex> g (priv->state_lock);
    GstFailoverSrcStatus st = compute_status_locked (priv, running_now (self));
    changed = st != priv->status;
    priv->status = st;
  }
  if (changed)
    g_object_notify (G_OBJECT (self), "status");
}

static std::string
candidate_uri (GstFailoverSrcPrivate *priv, int index)
{
  std::lock_guard<std::mutex> g (priv->state_lock);
  if (index < 0 || index >= (int)priv->candidates.size ())
    return "";
  /* a cluster:// candidate: the host it is using (redacted) */
  if (index < (int)priv->cand_stats.size ()
      && !priv->cand_stats[index].host_uri.empty ())
    return priv->cand_stats[index].host_uri;
  return redact_uri (priv->candidates[index].uri);
}

static void
run_actions (GstFailoverSrc *self, std::vector<Action> acts)
{
  auto *priv = self->priv;
  bool notify_active = false;
  for (auto &a : acts) {
    switch (a.kind) {
    case Action::Kind::Switch: {
      std::uint64_t source = 0;
      std::uint64_t filler_ms = 0;
      GstClockTime now = running_now (self);
      {
        std::lock_guard<std::mutex> g (priv->state_lock);
        if (a.to >= 0) {
          auto it = priv->runs.find (a.to);
          if (it != priv->runs.end ())
            source = it->second->id;
          priv->ever_active = true;
        }
        /* Time accounting of the candidate we leave. */
        if (GST_CLOCK_TIME_IS_VALID (priv->active_since)
            && GST_CLOCK_TIME_IS_VALID (now) && now > priv->active_since) {
          std::uint64_t spent = (now - priv->active_since) / GST_MSECOND;
          if (a.from < 0) {
            priv->stats.time_on_filler_ms += spent;
            filler_ms = spent;
          } else if (a.from != 0)
            priv->stats.time_on_backup_ms += spent;
        }
        priv->active_since = now;
        priv->stats.num_switches++;
        if (a.why == SwitchReason::Failback)
          priv->stats.num_failbacks++;
        priv->stats.last_reason = a.reason;
      }
      std::string from_uri = candidate_uri (priv, a.from);
      std::string to_uri = candidate_uri (priv, a.to);
      std::optional<PendingSwitch> superseded;
      {
        std::lock_guard<std::mutex> g (priv->switch_lock);
        /* A switch decided before the previous one put a buffer out: the
         * previous one is reported now (nothing of it reached the
         * output, gap 0) and the new one measures the whole gap. */
        if (priv->pending.armed)
          superseded = priv->pending;
        priv->pending.armed = true;
        priv->pending.source = source;
        priv->pending.from = a.from;
        priv->pending.to = a.to;
        priv->pending.from_uri = from_uri;
        priv->pending.to_uri = to_uri;
        priv->pending.reason = a.reason;
        priv->pending.cause_index = a.cause_index;
        priv->pending.detect_ms = (std::uint64_t)to_ms (a.detect);
        priv->pending.filler_ms = filler_ms;
      }
      if (superseded)
        post_switch_message (self, *superseded, 0);
      priv->active_index = a.to;
      priv->active_source = source;
      notify_active = true;
      if (source != 0)
        put_latest_frame_out (self, a.to, source);
      GST_INFO_OBJECT (self, "switch %d -> %d: %s", a.from, a.to,
                       a.reason.c_str ());
      break;
    }
    case Action::Kind::Start:
      start_candidate (self, a.index);
      break;
    case Action::Kind::Stop:
      stop_candidate (self, a.index);
      break;
    case Action::Kind::CandidateFailed: {
      std::string uri = candidate_uri (priv, a.index);
      std::string detail = redact_text (a.detail);
      GST_WARNING_OBJECT (self, "candidate %d (%s) failed: %s (%s)", a.index,
                          uri.c_str (), a.reason.c_str (), detail.c_str ());
      /* One WARNING per failure, whatever kind (error, EOS, silence, ...),
       * with the input's own words. */
      std::string text = "Candidate " + std::to_string (a.index) + " (" + uri
                         + ") failed (" + a.reason + "): " + detail;
      GError *w = g_error_new_literal (
          GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_FAILED, text.c_str ());
      gst_element_post_message (
          GST_ELEMENT (self),
          gst_message_new_warning (GST_OBJECT (self), w, nullptr));
      g_error_free (w);
      resilient::gst::post_element_message (
          GST_ELEMENT (self),
          gst_structure_new (
              "failoversrc-candidate-failed", "index", G_TYPE_INT, a.index,
              "uri", G_TYPE_STRING, uri.c_str (), "reason", G_TYPE_STRING,
              a.reason.c_str (), "fatal", G_TYPE_BOOLEAN, (gboolean)a.fatal,
              "detail", G_TYPE_STRING, detail.c_str (), nullptr));
      break;
    }
    case Action::Kind::Retry: {
      std::string uri = candidate_uri (priv, a.index);
      {
        std::lock_guard<std::mutex> g (priv->state_lock);
        priv->stats.num_retries++;
      }
      resilient::gst::post_element_message (
          GST_ELEMENT (self),
          gst_structure_new ("failoversrc-retry", "index", G_TYPE_INT, a.index,
                             "uri", G_TYPE_STRING, uri.c_str (), "attempt",
                             G_TYPE_UINT, (guint)a.attempt, "delay-ms",
                             G_TYPE_UINT64, (guint64)to_ms (a.delay), "reason",
                             G_TYPE_STRING, a.reason.c_str (), "fatal",
                             G_TYPE_BOOLEAN, FALSE, nullptr));
      break;
    }
    case Action::Kind::GiveUp: {
      std::string uri = candidate_uri (priv, a.index);
      std::string detail = redact_text (a.detail);
      GST_WARNING_OBJECT (self, "giving up on candidate %d (%s): %s", a.index,
                          uri.c_str (), detail.c_str ());
      resilient::gst::post_element_message (
          GST_ELEMENT (self),
          gst_structure_new (
              "failoversrc-give-up", "index", G_TYPE_INT, a.index, "uri",
              G_TYPE_STRING, uri.c_str (), "attempts", G_TYPE_UINT,
              (guint)a.attempt, "reason", G_TYPE_STRING, a.reason.c_str (),
              "fatal", G_TYPE_BOOLEAN, (gboolean)a.fatal, "detail",
              G_TYPE_STRING, detail.c_str (), nullptr));
      break;
    }
    }
  }
  bool all_gone = false;
  std::string why;
  {
    std::lock_guard<std::mutex> g (priv->state_lock);
    for (auto &a : acts)
      if (a.kind == Action::Kind::GiveUp && a.index >= 0)
        priv->last_failure[a.index] = redact_text (a.detail);
    if (priv->playing && priv->policy && priv->policy->all_given_up ()
        && !priv->eos_sent) {
      priv->eos_sent = true;
      all_gone = true;
      for (std::size_t i = 0; i < priv->candidates.size (); i++) {
        auto f = priv->last_failure.find ((int)i);
        why += (why.empty () ? "" : "; ") + std::string ("candidate ")
               + std::to_string (i) + " ("
               + redact_uri (priv->candidates[i].uri)
               + "): " + (f != priv->last_failure.end () ? f->second : "?");
      }
    }
  }
  if (all_gone) {
    GstFailoverSrcAllFailed what;
    {
      std::lock_guard<std::mutex> g (priv->settings_lock);
      what = priv->settings.all_failed;
    }
    if (what == GST_FAILOVER_SRC_ALL_FAILED_ERROR) {
      /* No candidate can ever come back: a failure scripts and systemd
       * must see (gst-launch exits non-zero). */
      GST_ELEMENT_ERROR (
          self, RESOURCE, FAILED,
          ("Every candidate of failoversrc was given up: %s", why.c_str ()),
          ("all-failed=error; set all-failed=eos to end the stream instead"));
    } else {
      GST_ELEMENT_WARNING (
          self, RESOURCE, FAILED,
          ("Every candidate of failoversrc was given up; sending EOS: %s",
           why.c_str ()),
          (nullptr));
      for (int st = 0; st < 2; st++)
        gst_app_src_end_of_stream (GST_APP_SRC (priv->appsrc[st]));
    }
  }
  if (notify_active)
    g_object_notify (G_OBJECT (self), "active-candidate");
  update_status (self);
}

/* ---- periodic tick (loop thread) ---------------------------------------- */

static void
health_tick (GstFailoverSrc *self, GstClockTime now)
{
  auto *priv = self->priv;
  std::vector<Action> acts;
  struct Failed
  {
    std::uint64_t id;
    int index;
    FailureReason reason;
    GstClockTime first;
  };
  std::vector<Failed> failed;
  std::vector<std::shared_ptr<resilient::cluster::ClusterClient>>
      healthy_clusters;
  {
    std::lock_guard<std::mutex> g (priv->state_lock);
    if (!priv->policy)
      return;
    for (auto &kv : priv->runs) {
      Run &r = *kv.second;
      gint64 last = r.last_buffer_ns.load ();
      std::optional<TimePoint> lastp;
      if (last >= 0)
        lastp = from_ns ((guint64)last);
      HealthResult h = r.health->update (tp (now), r.bytes.load (),
                                         r.buffers.load (), lastp);
      if (kv.first < (int)priv->cand_stats.size ()) {
        auto &cs = priv->cand_stats[kv.first];
        cs.bitrate_kbps = r.health->bitrate_kbps ();
        auto age = r.health->last_buffer_age (tp (now));
        cs.last_buffer_age_ms = age ? to_ms (*age) : -1;
      }
      if (h.verdict == Verdict::Healthy && !r.reported_healthy) {
        r.reported_healthy = true;
        priv->policy->on_healthy (kv.first, tp (now));
        auto c = priv->clusters.find (kv.first);
        if (c != priv->clusters.end ())
          healthy_clusters.push_back (c->second);
      } else if (h.verdict == Verdict::Failed) {
        failed.push_back ({ r.id, kv.first, h.reason, to_ns (h.first_sign) });
      } else if (auto proven = r.undecodable.update (
                     tp (now), r.source_bytes.load (), r.parsed_buffers.load (),
                     r.buffers.load ())) {
        failed.push_back (
            { r.id, kv.first, FailureReason::Undecodable, to_ns (*proven) });
      }
      /* New content (video, else audio) for the failback proof. */
      std::uint64_t content = r.has_stream[VIDEO].load ()
                                  ? r.content_ns[VIDEO].load ()
                                  : r.content_ns[AUDIO].load ();
      std::uint64_t fresh = content - std::min (content, r.content_reported);
      r.content_reported = content;
      priv->policy->on_content (kv.first, tp (now), from_ns (fresh));
      auto since = priv->policy->proving_since (kv.first);
      GST_LOG_OBJECT (self,
                      "candidate %d: %" G_GUINT64_FORMAT
                      " ms new content, proving for %" G_GINT64_FORMAT " ms",
                      kv.first, fresh / GST_MSECOND,
                      since ? (gint64)to_ms (tp (now) - *since) : (gint64)-1);
    }
    acts = priv->policy->step (tp (now));
  }
  for (auto &c : healthy_clusters)
    c->succeeded ();
  run_actions (self, std::move (acts));
  for (auto &f : failed) {
    std::string detail
        = f.reason == FailureReason::LowBitrate ? "bitrate under min-bitrate"
          : f.reason == FailureReason::Undecodable
              ? "undecodable stream: "
                    + std::to_string (kUndecodableBytes / 1024)
                    + " KiB from the source and nothing a demuxer, parser "
                      "or decoder could use"
              : "no data within the timeout";
    report_failure (self, f.id, f.index, f.reason, false, detail, f.first);
  }
}

/* Decides whether a stream that must carry filler before any candidate
 * fixed its caps gets the default caps now. */
static bool
may_default_caps (GstFailoverSrc *self, int stream, GstClockTime now)
{
  auto *priv = self->priv;
  std::lock_guard<std::mutex> g (priv->state_lock);
  if (!priv->policy)
    return false;
  int active = priv->policy->active ();
  if (active >= 0) {
    auto it = priv->runs.find (active);
    if (it == priv->runs.end ())
      return false;
    Run &r = *it->second;
    /* The active candidate has no such stream. */
    return r.no_more_pads.load () && !r.has_stream[stream].load ();
  }
  if (priv->ever_active)
    return true;
  bool anything_running = false;
  for (std::size_t i = 0; i < priv->policy->size (); i++) {
    auto st = priv->policy->state ((int)i);
    anything_running
        |= st == CandidateState::Starting || st == CandidateState::Healthy;
  }
  return !anything_running;
}

static void
filler_tick (GstFailoverSrc *self, GstClockTime now, GstClockTime startup)
{
  auto *priv = self->priv;
  std::uint64_t active = priv->active_source.load ();
  GstClockTime latency = priv->latency_ns.load ();
  GstClockTime hold = priv->hold_ns.load ();
  /* Right after a switch, the new candidate's first frame is on its way:
   * the gap is bridged with the last frame, not black. */
  bool just_switched = false;
  if (active != 0) {
    std::lock_guard<std::mutex> g (priv->state_lock);
    just_switched = GST_CLOCK_TIME_IS_VALID (priv->active_since)
                    && now < priv->active_since + latency;
  }
  for (int st = 0; st < 2; st++) {
    Output &o = priv->out[st];
    GstCaps *def = nullptr;
    bool have_caps;
    {
      std::lock_guard<std::mutex> g (o.lock);
      have_caps = o.caps != nullptr;
    }
    if (!have_caps) {
      bool startup_over = GST_CLOCK_TIME_IS_VALID (startup) && now >= startup;
      bool ok = may_default_caps (self, st, now);
      if (!ok && !startup_over)
        continue;
      GstCaps *wanted = nullptr;
      {
        std::lock_guard<std::mutex> g (priv->settings_lock);
        if (priv->settings.caps[st])
          wanted = gst_caps_ref (priv->settings.caps[st]);
      }
      def = default_caps (st, wanted);
      if (wanted)
        gst_caps_unref (wanted);
      bool set = false;
      {
        std::lock_guard<std::mutex> g (o.lock);
        if (!o.caps) {
          set_output_caps_locked (self, st, def);
          set = true;
        }
      }
      gst_caps_unref (def);
      if (set)
        on_output_caps_known (self, st);
    }

    /* Starving threshold: none on filler. */
    GstClockTime threshold = active == 0 ? 0 : starve_threshold (priv);
    int pushes = 0;
    for (;;) {
      GstBuffer *buf = nullptr;
      GstClockTime pts;
      {
        std::lock_guard<std::mutex> g (o.lock);
        if (!o.caps)
          break;
        OutputTimeline::FillerInput in;
        in.now = from_ns (now);
        in.on_filler = active == 0;
        in.threshold = from_ns (threshold);
        in.frame = from_ns (st == VIDEO ? frame_duration (o) : 0);
        in.latency = from_ns (latency);
        auto due = o.timeline.filler_due (in);
        if (!due)
          break;
        pts = to_ns (*due);
        if (st == VIDEO) {
          switch (o.timeline.picture (*due, o.last_frame != nullptr,
                                      o.image != nullptr, from_ns (hold),
                                      active, just_switched)) {
          case OutputTimeline::Picture::LastFrame:
            buf = gst_buffer_copy (o.last_frame);
            break;
          case OutputTimeline::Picture::Image:
            buf = gst_buffer_copy (o.image);
            break;
          case OutputTimeline::Picture::Black:
            buf = o.black ? gst_buffer_copy (o.black) : nullptr;
            break;
          }
        } else {
          if (GST_AUDIO_INFO_RATE (&o.ainfo) <= 0
              || GST_AUDIO_INFO_BPF (&o.ainfo) == 0)
            break;
          guint64 samples = o.timeline.silence_samples (
              *due, in.now, in.on_filler, from_ns (HEALTH_PERIOD / 2),
              GST_AUDIO_INFO_RATE (&o.ainfo));
          if (samples == 0)
            break;
          gsize size = samples * GST_AUDIO_INFO_BPF (&o.ainfo);
          buf = gst_buffer_new_allocate (nullptr, size, nullptr);
          GstMapInfo map;
          if (gst_buffer_map (buf, &map, GST_MAP_WRITE)) {
            gst_audio_format_info_fill_silence (o.ainfo.finfo, map.data,
                                                map.size);
            gst_buffer_unmap (buf, &map);
          }
        }
      }
      if (!buf)
        break;
      push_output (self, st, buf, pts, 0, -1, nullptr);
      if (st == AUDIO || ++pushes >= 8)
        break;
    }
  }
}

static void
on_tick (GstFailoverSrc *self)
{
  auto *priv = self->priv;
  GstClockTime now = running_now (self);
  if (!GST_CLOCK_TIME_IS_VALID (now))
    return;
  GstClockTime startup = GST_CLOCK_TIME_NONE;
  bool do_health = false;
  {
    std::lock_guard<std::mutex> g (priv->state_lock);
    if (!priv->playing)
      return;
    if (!GST_CLOCK_TIME_IS_VALID (priv->last_health)
        || now >= priv->last_health + HEALTH_PERIOD
        || (GST_CLOCK_TIME_IS_VALID (priv->silence_deadline)
            && now >= priv->silence_deadline)) {
      priv->last_health = now;
      do_health = true;
    }
    startup = priv->playing_since;
  }
  guint startup_ms;
  {
    std::lock_guard<std::mutex> g (priv->settings_lock);
    startup_ms = priv->settings.startup_timeout;
  }
  if (GST_CLOCK_TIME_IS_VALID (startup))
    startup += startup_ms * GST_MSECOND;
  if (do_health)
    health_tick (self, now);
  filler_tick (self, now, startup);
  update_status (self);
  schedule_tick (self);
}

/* Arms the one timer of the loop at the earliest of: the next health tick,
 * the moment a running candidate's silence reaches its timeout (so a stall
 * is detected when it happens, not up to a tick later), and, for filler,
 * the next output frame while filler is on (or may have to be: a stream
 * of the active candidate starving). While every stream is fed by a
 * candidate, it does not wake up per frame. */
static void
schedule_tick (GstFailoverSrc *self)
{
  auto *priv = self->priv;
  GstClock *clock = priv->clock.load ();
  if (!clock)
    return;
  GstClockTime now = running_now (self);
  if (!GST_CLOCK_TIME_IS_VALID (now))
    return;
  GstClockTime fast;
  {
    std::lock_guard<std::mutex> g (priv->out[VIDEO].lock);
    fast = frame_duration (priv->out[VIDEO]);
  }
  fast = std::min (fast, HEALTH_PERIOD / 2);
  GstClockTime thr = starve_threshold (priv);
  bool filling = priv->active_source.load () == 0;
  GstClockTime starve = GST_CLOCK_TIME_NONE;
  for (int st = 0; st < 2 && !filling; st++) {
    Output &o = priv->out[st];
    std::lock_guard<std::mutex> g (o.lock);
    if (!o.caps)
      continue; /* default caps are decided on health ticks */
    auto starving = o.timeline.starving_at (from_ns (thr));
    if (!starving)
      filling = true;
    else
      starve = std::min<GstClockTime> (starve, to_ns (*starving));
  }
  GstClockTime at = filling ? now + fast : std::max (starve, now + fast);
  GstClockTime silence = GST_CLOCK_TIME_NONE;
  {
    std::lock_guard<std::mutex> g (priv->state_lock);
    GstClockTime health = GST_CLOCK_TIME_IS_VALID (priv->last_health)
                              ? priv->last_health + HEALTH_PERIOD
                              : now;
    at = std::min (at, health);
    for (auto &kv : priv->runs) {
      Run &r = *kv.second;
      gint64 last = r.last_buffer_ns.load ();
      if (last < 0 || !r.health || r.failed_reported.load ())
        continue;
      GstClockTime dl = (GstClockTime)last + to_ns (r.health->effective_timeout ());
      silence = std::min<GstClockTime> (silence, dl);
    }
    priv->silence_deadline = silence;
    at = std::min (at, silence);
    at = std::max (at, now + GST_MSECOND);
  }
  auto id = priv->loop.schedule_at (
      clock, priv->base_time.load () + at,
      [keep = SelfRef (self)] { on_tick (keep.p); });
  std::lock_guard<std::mutex> g (priv->state_lock);
  priv->tick_timer = id;
}

/* ---- bus ---------------------------------------------------------------- */

/* The direct child of `self` that `obj` is inside of (a ref), or NULL. */
static GstObject *
top_child (GstFailoverSrc *self, GstObject *obj)
{
  GstObject *cur = GST_OBJECT (gst_object_ref (obj));
  for (;;) {
    GstObject *parent = gst_object_get_parent (cur);
    if (!parent) {
      gst_object_unref (cur);
      return nullptr;
    }
    if (parent == GST_OBJECT (self)) {
      gst_object_unref (parent);
      return cur;
    }
    gst_object_unref (cur);
    cur = parent;
  }
}

/* A reswhepsrc candidate (whep://, wheps://) reports its one failure as a
 * `reswhepsrc-failure` element message: severity fatal (401/403/404, bad
 * answer: retrying cannot help) or transient (5xx, refused, ICE, media
 * timeout), the HTTP status, the stage and Retry-After. It becomes the
 * candidate's failure; Retry-After is the floor of the next retry. Any
 * thread (bus). */
static void
handle_whep_failure (GstFailoverSrc *self, Run *run, GstMessage *msg)
{
  const GstStructure *st = gst_message_get_structure (msg);
  if (!st || !gst_structure_has_name (st, "reswhepsrc-failure"))
    return;
  const gchar *severity = gst_structure_get_string (st, "severity");
  const gchar *stage = gst_structure_get_string (st, "stage");
  const gchar *why = gst_structure_get_string (st, "reason");
  gint status = 0;
  gint64 retry_after_ms = -1;
  gst_structure_get_int (st, "http-status", &status);
  gst_structure_get_int64 (st, "retry-after-ms", &retry_after_ms);
  bool fatal = severity && g_str_equal (severity, "fatal");
  std::string stage_s = stage ? stage : "";
  std::string detail = std::string ("WHEP ") + (fatal ? "fatal" : "transient")
                       + " failure (stage "
                       + (stage_s.empty () ? "unknown" : stage_s) + ", HTTP "
                       + std::to_string (status) + "): " + (why ? why : "");
  if (retry_after_ms > 0)
    detail += " (Retry-After " + std::to_string (retry_after_ms) + " ms)";
  /* No media for media-timeout is a silence, like our own timeout. */
  FailureReason reason = stage_s == "media-timeout" ? FailureReason::Timeout
                                                    : FailureReason::Error;
  GST_INFO_OBJECT (self, "candidate %d: %s", run->index,
                   redact_text (detail).c_str ());
  report_failure (self, run->id, run->index, reason, fatal,
                  redact_text (detail), running_now (self),
                  retry_after_ms > 0 ? ms (retry_after_ms) : Duration::zero ());
}

/* An EOS sent by the application (gst_element_send_event on the pipeline,
 * e.g. to finish a recording) ends the output: it goes out on both pads and
 * is not handed to the candidates, whose EOS would read as a failure and
 * trigger a switch. */
static gboolean
gst_failover_src_send_event (GstElement *element, GstEvent *event)
{
  if (GST_EVENT_TYPE (event) != GST_EVENT_EOS)
    return GST_ELEMENT_CLASS (parent_class)->send_event (element, event);

  auto *self = GST_FAILOVER_SRC (element);
  auto *priv = self->priv;
  bool first;
  {
    std::lock_guard<std::mutex> g (priv->state_lock);
    first = !priv->eos_sent;
    priv->eos_sent = true;
  }
  GST_INFO_OBJECT (self, "EOS from the application: ending the output");
  if (first) {
    for (int st = 0; st < 2; st++)
      gst_app_src_end_of_stream (GST_APP_SRC (priv->appsrc[st]));
  }
  gst_event_unref (event);
  return TRUE;
}

/* The words of a child's error: its message, and the last line of its
 * debug string, which names the file, host or reason ("No such file
 * "/srv/a.mp4"", "Connection refused") where the message is generic. */
static std::string
error_words (const GError *err, const gchar *dbg)
{
  std::string text = err && err->message ? err->message : "";
  if (dbg && *dbg) {
    std::string d (dbg);
    /* "file.c(123): func (): /GstPipeline:p/...:\nwhat happened" */
    auto nl = d.rfind ('\n');
    std::string tail = nl == std::string::npos ? d : d.substr (nl + 1);
    if (nl == std::string::npos) {
      auto colon = d.rfind (":\n");
      if (colon != std::string::npos)
        tail = d.substr (colon + 2);
    }
    if (!tail.empty () && text.find (tail) == std::string::npos)
      text += (text.empty () ? "" : " (") + tail + (text.empty () ? "" : ")");
  }
  return redact_text (text);
}

/* A copy of an element message from inside a candidate with every string
 * field redacted (URIs, tokens), or NULL when it must not reach the
 * application: only our own elements' messages (reswhepsrc-*) and
 * missing-plugin messages (what gst-launch and installers act on) leave the
 * element; the rest (souphttpsrc's http-headers with the request URI and
 * headers, rtspsrc internals, ...) is internal. */
static GstMessage *
redacted_child_element_message (GstMessage *msg)
{
  const GstStructure *st = gst_message_get_structure (msg);
  if (!st)
    return nullptr;
  const gchar *name = gst_structure_get_name (st);
  if (!g_str_has_prefix (name, "reswhepsrc-")
      && !g_str_equal (name, "missing-plugin"))
    return nullptr;
  GstStructure *copy = gst_structure_copy (st);
  gst_structure_filter_and_map_in_place (
      copy,
      [] (GQuark field, GValue *value, gpointer) -> gboolean {
        if (G_VALUE_HOLDS_STRING (value) && g_value_get_string (value)) {
          std::string r = redact_text (g_value_get_string (value));
          g_value_set_string (value, r.c_str ());
        } else if (GST_VALUE_HOLDS_STRUCTURE (value)) {
          return FALSE; /* nested structures (headers): dropped */
        }
        return TRUE;
      },
      nullptr);
  return gst_message_new_element (GST_MESSAGE_SRC (msg), copy);
}

static void
gst_failover_src_handle_message (GstBin *bin, GstMessage *msg)
{
  auto *self = GST_FAILOVER_SRC (bin);
  auto *priv = self->priv;
  GstObject *top = GST_MESSAGE_SRC (msg)
                       ? top_child (self, GST_MESSAGE_SRC (msg))
                       : nullptr;
  bool from_candidate = top && top != GST_OBJECT (priv->appsrc[VIDEO])
                        && top != GST_OBJECT (priv->appsrc[AUDIO]);
  if (!from_candidate) {
    if (top)
      gst_object_unref (top);
    /* The output appsrcs: their state changes, stream status and tags are
     * internal noise; latency, async, errors and the rest go up. */
    switch (GST_MESSAGE_TYPE (msg)) {
    case GST_MESSAGE_STATE_CHANGED:
    case GST_MESSAGE_STREAM_STATUS:
    case GST_MESSAGE_TAG:
    case GST_MESSAGE_STREAM_START:
      gst_message_unref (msg);
      return;
    default:
      GST_BIN_CLASS (parent_class)->handle_message (bin, msg);
      return;
    }
  }
  std::shared_ptr<Run> run;
  {
    std::lock_guard<std::mutex> g (priv->state_lock);
    for (auto &kv : priv->runs)
      if (GST_OBJECT (kv.second->bin) == top)
        run = kv.second;
  }
  gst_object_unref (top);

  switch (GST_MESSAGE_TYPE (msg)) {
  case GST_MESSAGE_ERROR: {
    GError *err = nullptr;
    gchar *dbg = nullptr;
    gst_message_parse_error (msg, &err, &dbg);
    if (run && !run->stopping.load ()) {
      /* The WARNING for this failure is posted with the candidate-failed
       * message (one per failure). */
      ErrorClass cls = classify_error (err);
      report_failure (self, run->id, run->index, FailureReason::Error,
                      is_fatal (cls), error_words (err, dbg),
                      running_now (self));
    } else {
      GST_DEBUG_OBJECT (self, "dropping error of a stopped candidate: %s",
                        redact_text (err->message).c_str ());
    }
    g_clear_error (&err);
    g_free (dbg);
    gst_message_unref (msg);
    return;
  }
  case GST_MESSAGE_EOS:
    if (run && !run->stopping.load ())
      report_failure (self, run->id, run->index, FailureReason::Eos, false,
                      "end of stream", running_now (self));
    gst_message_unref (msg);
    return;
  case GST_MESSAGE_ELEMENT: {
    /* Passed on first, so the application sees reswhepsrc-failure before
     * our failoversrc-candidate-failed. */
    GstMessage *out = redacted_child_element_message (msg);
    if (out)
      GST_BIN_CLASS (parent_class)->handle_message (bin, out);
    if (run && !run->stopping.load ())
      handle_whep_failure (self, run.get (), msg);
    gst_message_unref (msg);
    return;
  }
  case GST_MESSAGE_WARNING:
  case GST_MESSAGE_INFO: {
    /* A child's warning, redacted (its debug string may quote URIs). */
    GError *err = nullptr;
    gchar *dbg = nullptr;
    bool warning = GST_MESSAGE_TYPE (msg) == GST_MESSAGE_WARNING;
    if (warning)
      gst_message_parse_warning (msg, &err, &dbg);
    else
      gst_message_parse_info (msg, &err, &dbg);
    std::string m = redact_text (err->message),
                d = dbg ? redact_text (dbg) : "";
    GError *r = g_error_new_literal (err->domain, err->code, m.c_str ());
    GstMessage *out
        = warning
              ? gst_message_new_warning (GST_MESSAGE_SRC (msg), r, d.c_str ())
              : gst_message_new_info (GST_MESSAGE_SRC (msg), r, d.c_str ());
    g_error_free (r);
    g_clear_error (&err);
    g_free (dbg);
    gst_message_unref (msg);
    GST_BIN_CLASS (parent_class)->handle_message (bin, out);
    return;
  }
  case GST_MESSAGE_NEED_CONTEXT:
  case GST_MESSAGE_HAVE_CONTEXT:
  /* GstBin's own bookkeeping: it tracks a child added while its state
   * change is ASYNC until that child's async-done; dropping it leaves the
   * bin waiting forever and the pipeline re-posting async-done. GstBin
   * consumes these; they never reach the application bus as they are. */
  case GST_MESSAGE_ASYNC_START:
  case GST_MESSAGE_ASYNC_DONE:
    GST_BIN_CLASS (parent_class)->handle_message (bin, msg);
    return;
  default:
    /* tags, state changes, stream status, buffering,
     * latency, clock, qos, stream-start ... of a candidate are its own
     * business: the output is live and continuous whatever the candidates
     * do, and the application bus carries failoversrc's own messages. */
    gst_message_unref (msg);
    return;
  }
}

/* ---- lifecycle ---------------------------------------------------------- */

/* A status callback reported the host or stream of a cluster candidate down:
 * an immediate failure of its current run (listener thread -> loop). The
 * callback holds only a weak reference to the element. */
static void
watch_cluster (GstFailoverSrc *self, int index,
               const std::shared_ptr<resilient::cluster::ClusterClient> &client)
{
  auto weak = std::shared_ptr<GWeakRef> (new GWeakRef, [] (GWeakRef *w) {
    g_weak_ref_clear (w);
    delete w;
  });
  g_weak_ref_init (weak.get (), self);
  client->watch ([weak, index] (const resilient::cluster::DownNotice &n) {
    auto *s = static_cast<GstFailoverSrc *> (g_weak_ref_get (weak.get ()));
    if (!s)
      return;
    std::string what = n.stream.empty () ? "host " + redact_uri (n.host)
                                         : "stream '" + n.stream + "'";
    s->priv->loop.post ([keep = SelfRef (s), index, what] {
      GstFailoverSrc *s = keep.p;
      std::uint64_t run_id = 0;
      {
        std::lock_guard<std::mutex> g (s->priv->state_lock);
        auto it = s->priv->runs.find (index);
        if (it != s->priv->runs.end ())
          run_id = it->second->id;
      }
      if (run_id) {
        GST_INFO_OBJECT (s,
                         "cluster status: %s down, candidate "
                         "%d fails",
                         what.c_str (), index);
        report_failure (s, run_id, index, FailureReason::ClusterDown, false,
                        "status callback: " + what + " reported down",
                        running_now (s));
      }
    });
    gst_object_unref (s);
  });
}

static bool
prepare_candidates (GstFailoverSrc *self)
{
  auto *priv = self->priv;
  std::vector<std::string> uris;
  PolicyConfig pc;
  gint requested;
  {
    std::lock_guard<std::mutex> g (priv->settings_lock);
    uris = priv->settings.uris;
    pc = policy_config (priv->settings);
    requested = priv->settings.requested_active;
  }
  if (uris.empty ()) {
    GST_ELEMENT_ERROR (
        self, RESOURCE, SETTINGS,
        ("failoversrc has no candidates: set the 'uris' property (for example "
         "uris=\"rtmp://host/live/key | file:///srv/slate.mp4\") or "
         "'uri-list'."),
        (nullptr));
    return false;
  }
  std::vector<Candidate> cands;
  std::string problems;
  int usable = 0;
  std::map<int, std::shared_ptr<resilient::cluster::ClusterClient>> clusters;
  for (auto &u : uris) {
    Candidate c = parse_candidate (u);
    if (resilient::cluster::ClusterClient::is_cluster_uri (u)) {
      /* the URL and its kind come from the cluster at each start */
      auto client = std::make_shared<resilient::cluster::ClusterClient> (u);
      std::string error;
      if (client->attach (error)) {
        c.problem.reset ();
        watch_cluster (self, (int)cands.size (), client);
        clusters[(int)cands.size ()] = client;
      } else {
        c.problem = error;
      }
    } else if (!c.problem
               && !gst_uri_protocol_is_supported (GST_URI_SRC,
                                                  c.scheme.c_str ())) {
      c.problem = "no GStreamer source element handles '" + c.scheme
                  + "://' (unknown scheme or missing plugin)";
    }
    if (c.problem) {
      problems += "\n  #" + std::to_string (cands.size ()) + " '"
                  + redact_uri (c.uri) + "': " + *c.problem;
    } else {
      usable++;
    }
    cands.push_back (c);
  }
  if (usable == 0) {
    GST_ELEMENT_ERROR (
        self, RESOURCE, SETTINGS,
        ("None of the %zu failoversrc candidates is usable; fix 'uris' (a URI "
         "needs a scheme a GStreamer source handles, e.g. rtmp://, srt://, "
         "rtsp://, http://, file:///).",
         cands.size ()),
        ("%s", problems.c_str ()));
    return false;
  }
  std::vector<Action> acts;
  {
    std::lock_guard<std::mutex> g (priv->state_lock);
    priv->candidates = cands;
    priv->clusters.swap (clusters);
    priv->policy
        = std::make_unique<FailoverPolicy> (pc, cands.size (), g_random_int ());
    priv->cand_stats.assign (cands.size (), CandidateStats{});
    priv->stats = Stats{};
    priv->ever_active = false;
    priv->eos_sent = false;
    priv->last_failure.clear ();
    priv->active_since = GST_CLOCK_TIME_NONE;
    priv->last_health = GST_CLOCK_TIME_NONE;
    for (std::size_t i = 0; i < cands.size (); i++) {
      if (!cands[i].problem)
        continue;
      auto reason
          = cands[i].scheme.empty () || parse_candidate (cands[i].uri).problem
                    || resilient::cluster::ClusterClient::is_cluster_uri (
                        cands[i].uri)
                ? FailureReason::BadUri
                : FailureReason::Unsupported;
      auto a = priv->policy->reject ((int)i, reason, *cands[i].problem);
      acts.insert (acts.end (), a.begin (), a.end ());
    }
    if (requested >= 0)
      priv->policy->request (requested);
  }
  for (auto &a : acts) {
    std::string uri = redact_uri (cands[a.index].uri);
    GST_ELEMENT_WARNING (self, RESOURCE, SETTINGS,
                         ("failoversrc candidate %d ('%s') is skipped: %s",
                          a.index, uri.c_str (), a.detail.c_str ()),
                         (nullptr));
  }
  run_actions (self, std::move (acts));
  return true;
}

static void
reset_outputs (GstFailoverSrc *self)
{
  for (int st = 0; st < 2; st++) {
    Output &o = self->priv->out[st];
    std::lock_guard<std::mutex> g (o.lock);
    o.timeline.reset ();
    gst_clear_buffer (&o.last_frame);
    gst_clear_buffer (&o.black);
    gst_clear_buffer (&o.image);
    o.image_tried = false;
    gst_clear_caps (&o.caps);
    gst_clear_caps (&o.accepted);
  }
}

static void
apply_fixed_caps (GstFailoverSrc *self)
{
  auto *priv = self->priv;
  for (int st = 0; st < 2; st++) {
    GstCaps *c = nullptr;
    {
      std::lock_guard<std::mutex> g (priv->settings_lock);
      if (priv->settings.caps[st]) {
        /* Fields a user rarely writes but a raw format needs. */
        c = gst_caps_copy (priv->settings.caps[st]);
        GstStructure *s = gst_caps_get_structure (c, 0);
        if (st == AUDIO && !gst_structure_has_field (s, "layout"))
          gst_structure_set (s, "layout", G_TYPE_STRING, "interleaved",
                             nullptr);
        if (st == VIDEO && !gst_structure_has_field (s, "pixel-aspect-ratio"))
          gst_structure_set (s, "pixel-aspect-ratio", GST_TYPE_FRACTION, 1, 1,
                             nullptr);
        /* Fixed and complete (with a format): used from the start.
         * Otherwise the first candidate's format within them is. */
        GstVideoInfo vi;
        GstAudioInfo ai;
        if (gst_caps_get_size (c) != 1 || !gst_caps_is_fixed (c)
            || (st == VIDEO ? !gst_video_info_from_caps (&vi, c)
                            : !gst_audio_info_from_caps (&ai, c)))
          gst_clear_caps (&c);
      }
    }
    if (!c)
      continue;
    std::lock_guard<std::mutex> g (priv->out[st].lock);
    set_output_caps_locked (self, st, c);
    gst_caps_unref (c);
  }
}

static void
on_playing (GstFailoverSrc *self)
{
  auto *priv = self->priv;
  std::vector<Action> acts;
  std::vector<std::shared_ptr<Run>> runs;
  {
    std::lock_guard<std::mutex> g (priv->state_lock);
    if (!priv->policy || !priv->playing)
      return;
    for (auto &kv : priv->runs)
      runs.push_back (kv.second);
    if (!GST_CLOCK_TIME_IS_VALID (priv->playing_since))
      priv->playing_since = running_now (self);
    acts = priv->policy->step (tp (running_now (self)));
  }
  /* Back from PAUSED: the base time moved; running candidates follow it
   * and are re-anchored on their next sample. */
  for (auto &r : runs) {
    gst_element_set_base_time (r->bin, priv->base_time.load ());
    std::lock_guard<std::mutex> g (r->timeline_lock);
    r->timeline.reset ();
  }
  run_actions (self, std::move (acts));
  for (int st = 0; st < 2; st++) {
    bool known;
    {
      std::lock_guard<std::mutex> g (priv->out[st].lock);
      known = priv->out[st].caps != nullptr;
    }
    if (known)
      on_output_caps_known (self, st);
  }
  schedule_tick (self);
}

static void
teardown_all (GstFailoverSrc *self)
{
  auto *priv = self->priv;
  /* destroyed (unsubscribed) outside the state lock */
  std::map<int, std::shared_ptr<resilient::cluster::ClusterClient>> clusters;
  priv->loop.post_and_wait ([priv] { priv->loop.cancel_all (); });
  std::map<int, std::shared_ptr<Run>> runs;
  {
    std::lock_guard<std::mutex> g (priv->state_lock);
    runs.swap (priv->runs);
    priv->playing = false;
    priv->policy.reset ();
    clusters.swap (priv->clusters);
    priv->playing_since = GST_CLOCK_TIME_NONE;
  }
  for (auto &kv : runs)
    interrupt_run (kv.second.get ());
  for (auto &kv : runs)
    teardown_run_sync (self, kv.second);
  /* Runs stopped earlier may still be tearing down on the call_async pool;
   * they remove themselves. */
  priv->active_source = 0;
  priv->active_index = -1;
  {
    std::lock_guard<std::mutex> g (priv->switch_lock);
    priv->pending = PendingSwitch{};
  }
}

/* What is wrong with video-caps / audio-caps, "" when usable: raw caps of
 * the pad's kind, one structure, positive sizes, rates and channels, a
 * known format. */
static std::string
check_fixed_caps (GstFailoverSrc *self)
{
  auto *priv = self->priv;
  std::lock_guard<std::mutex> g (priv->settings_lock);
  for (int st = 0; st < 2; st++) {
    const GstCaps *c = priv->settings.caps[st];
    if (!c)
      continue;
    gchar *str = gst_caps_to_string (c);
    std::string prop = std::string (stream_names[st]) + "-caps";
    std::string where = prop + "=\"" + str + "\": ";
    g_free (str);
    const char *want = st == VIDEO ? "video/x-raw" : "audio/x-raw";
    if (gst_caps_get_size (c) != 1)
      return where + "give exactly one " + want + " structure";
    const GstStructure *s = gst_caps_get_structure (c, 0);
    if (!gst_structure_has_name (s, want))
      return where + "must be " + want + " (e.g. " + want
             + (st == VIDEO ? ",width=1280,height=720,framerate=30/1)"
                            : ",rate=48000,channels=2)");
    if (gst_caps_features_is_any (gst_caps_get_features (c, 0))
        || !gst_caps_features_is_equal (gst_caps_get_features (c, 0),
                                        GST_CAPS_FEATURES_MEMORY_SYSTEM_MEMORY))
      return where + "only system-memory caps are supported";
    const char *ints[2][2] = { { "width", "height" }, { "rate", "channels" } };
    for (const char *f : ints[st]) {
      if (!gst_structure_has_field (s, f))
        continue;
      int v = 0;
      if (!gst_structure_get_int (s, f, &v))
        return where + f + " must be a single positive integer";
      if (v <= 0)
        return where + f + " must be positive, not " + std::to_string (v);
    }
    if (st == VIDEO && gst_structure_has_field (s, "framerate")) {
      int n = 0, d = 1;
      if (!gst_structure_get_fraction (s, "framerate", &n, &d) || n <= 0
          || d <= 0)
        return where + "framerate must be a positive fraction such as 30/1";
    }
    if (gst_structure_has_field (s, "format")) {
      const char *fmt = gst_structure_get_string (s, "format");
      bool known = fmt
                   && (st == VIDEO ? gst_video_format_from_string (fmt)
                                         != GST_VIDEO_FORMAT_UNKNOWN
                                   : gst_audio_format_from_string (fmt)
                                         != GST_AUDIO_FORMAT_UNKNOWN);
      if (!known)
        return where + "unknown " + (st == VIDEO ? "video" : "audio")
               + " format";
    }
  }
  return "";
}

static GstStateChangeReturn
gst_failover_src_change_state (GstElement *element, GstStateChange transition)
{
  auto *self = GST_FAILOVER_SRC (element);
  auto *priv = self->priv;
  GstStateChangeReturn ret;

  switch (transition) {
  case GST_STATE_CHANGE_NULL_TO_READY: {
    std::string problem = check_fixed_caps (self);
    if (!problem.empty ()) {
      GST_ELEMENT_ERROR (self, CORE, NEGOTIATION, ("%s", problem.c_str ()),
                         (nullptr));
      return GST_STATE_CHANGE_FAILURE;
    }
    priv->loop.start ();
    break;
  }
  case GST_STATE_CHANGE_READY_TO_PAUSED: {
    guint latency;
    {
      std::lock_guard<std::mutex> g (priv->settings_lock);
      latency = priv->settings.latency;
      priv->hold_ns = priv->settings.hold_last_frame * GST_MSECOND;
      for (int st = 0; st < 2; st++)
        priv->enabled[st] = priv->settings.enable[st];
    }
    priv->latency_ns = latency * GST_MSECOND;
    for (int st = 0; st < 2; st++)
      g_object_set (priv->appsrc[st], "min-latency",
                    (gint64)(latency * GST_MSECOND), "max-latency", (gint64)-1,
                    nullptr);
    reset_outputs (self);
    apply_fixed_caps (self);
    if (!prepare_candidates (self))
      return GST_STATE_CHANGE_FAILURE;
    break;
  }
  case GST_STATE_CHANGE_PAUSED_TO_READY:
    teardown_all (self);
    break;
  default:
    break;
  }

  ret = GST_ELEMENT_CLASS (parent_class)->change_state (element, transition);
  if (ret == GST_STATE_CHANGE_FAILURE)
    return ret;

  switch (transition) {
  case GST_STATE_CHANGE_PAUSED_TO_PLAYING: {
    GstClock *clock = gst_element_get_clock (element);
    if (!clock)
      clock = gst_system_clock_obtain ();
    GstClock *old = priv->clock.exchange (clock);
    if (old)
      gst_object_unref (old);
    priv->base_time = gst_element_get_base_time (element);
    {
      std::lock_guard<std::mutex> g (priv->state_lock);
      priv->playing = true;
    }
    priv->loop.post ([keep = SelfRef (self)] {
      GstFailoverSrc *self = keep.p;
      on_playing (self);
    });
    break;
  }
  case GST_STATE_CHANGE_PLAYING_TO_PAUSED: {
    {
      std::lock_guard<std::mutex> g (priv->state_lock);
      priv->playing = false;
    }
    priv->loop.post_and_wait ([priv] { priv->loop.cancel_all (); });
    break;
  }
  case GST_STATE_CHANGE_PAUSED_TO_READY:
    update_status (self);
    break;
  case GST_STATE_CHANGE_READY_TO_NULL: {
    priv->loop.stop ();
    GstClock *old = priv->clock.exchange (nullptr);
    if (old)
      gst_object_unref (old);
    break;
  }
  default:
    break;
  }
  /* Live source: no preroll. */
  if (transition == GST_STATE_CHANGE_READY_TO_PAUSED
      || transition == GST_STATE_CHANGE_PLAYING_TO_PAUSED)
    ret = GST_STATE_CHANGE_NO_PREROLL;
  return ret;
}

/* ---- manual switch ------------------------------------------------------ */

static gboolean
request_switch (GstFailoverSrc *self, gint index)
{
  auto *priv = self->priv;
  bool ok = false;
  bool live = false;
  {
    std::lock_guard<std::mutex> g (priv->state_lock);
    if (priv->policy) {
      ok = priv->policy->request (index);
      live = true;
    }
  }
  if (!live) {
    /* Not running: kept for the next start. */
    std::lock_guard<std::mutex> sg (priv->settings_lock);
    ok = index >= -1 && index < (gint)priv->settings.uris.size ();
    if (ok)
      priv->settings.requested_active = index;
  }
  live = live && ok;
  if (live) {
    priv->loop.post ([keep = SelfRef (self)] {
      GstFailoverSrc *self = keep.p;
      std::vector<Action> acts;
      {
        std::lock_guard<std::mutex> g (self->priv->state_lock);
        if (self->priv->policy && self->priv->playing)
          acts = self->priv->policy->step (tp (running_now (self)));
      }
      run_actions (self, std::move (acts));
    });
  }
  GST_INFO_OBJECT (self, "manual switch to %d: %s", index,
                   ok ? "accepted" : "refused");
  return ok;
}

/* ---- statistics -----------------------------------------------------------
 */

static GstStructure *
make_statistics (GstFailoverSrc *self)
{
  auto *priv = self->priv;
  GstClockTime now = running_now (self);
  std::lock_guard<std::mutex> g (priv->state_lock);
  std::uint64_t backup = priv->stats.time_on_backup_ms;
  std::uint64_t filler = priv->stats.time_on_filler_ms;
  int active = priv->policy ? priv->policy->active () : -1;
  if (priv->policy && GST_CLOCK_TIME_IS_VALID (priv->active_since)
      && GST_CLOCK_TIME_IS_VALID (now) && now > priv->active_since) {
    std::uint64_t spent = (now - priv->active_since) / GST_MSECOND;
    if (active < 0)
      filler += spent;
    else if (active != 0)
      backup += spent;
  }
  GstStructure *s = gst_structure_new (
      "application/x-failoversrc-stats", "num-switches", G_TYPE_UINT64,
      (guint64)priv->stats.num_switches, "num-failbacks", G_TYPE_UINT64,
      (guint64)priv->stats.num_failbacks, "num-retries", G_TYPE_UINT64,
      (guint64)priv->stats.num_retries, "active-index", G_TYPE_INT, active,
      "last-reason", G_TYPE_STRING, priv->stats.last_reason.c_str (),
      "time-on-backup-ms", G_TYPE_UINT64, (guint64)backup, "time-on-filler-ms",
      G_TYPE_UINT64, (guint64)filler, "last-gap-ms", G_TYPE_UINT64,
      (guint64)priv->stats.last_gap_ms, "max-gap-ms", G_TYPE_UINT64,
      (guint64)priv->stats.max_gap_ms, nullptr);
  GValue arr = G_VALUE_INIT;
  gst_value_array_init (&arr, priv->candidates.size ());
  for (std::size_t i = 0; i < priv->candidates.size (); i++) {
    const char *state = "idle";
    guint retries = 0, failures = 0;
    std::string last;
    if (priv->policy) {
      state = state_name (priv->policy->state ((int)i));
      retries = priv->policy->retries ((int)i);
      failures = priv->policy->failures ((int)i);
      last = priv->policy->last_reason ((int)i);
    }
    CandidateStats cs
        = i < priv->cand_stats.size () ? priv->cand_stats[i] : CandidateStats{};
    bool running = priv->runs.count ((int)i) > 0;
    GstStructure *c = gst_structure_new (
        "candidate", "index", G_TYPE_INT, (gint)i, "uri", G_TYPE_STRING,
        cs.host_uri.empty () ? redact_uri (priv->candidates[i].uri).c_str ()
                             : cs.host_uri.c_str (),
        "name", G_TYPE_STRING, redact_uri (priv->candidates[i].uri).c_str (),
        "state", G_TYPE_STRING, state, "retries", G_TYPE_UINT, retries,
        "failures", G_TYPE_UINT, failures, "last-reason", G_TYPE_STRING,
        last.c_str (), "bitrate-kbps", G_TYPE_UINT64,
        (guint64)(running ? cs.bitrate_kbps : 0), "last-buffer-age-ms",
        G_TYPE_INT64, (gint64)(running ? cs.last_buffer_age_ms : -1), nullptr);
    GValue v = G_VALUE_INIT;
    g_value_init (&v, GST_TYPE_STRUCTURE);
    g_value_take_boxed (&v, c);
    gst_value_array_append_and_take_value (&arr, &v);
  }
  gst_structure_take_value (s, "candidates", &arr);
  return s;
}

/* ---- properties -----------------------------------------------------------
 */

/* Loop thread: thresholds changed in PLAYING. */
static void
apply_runtime_settings (GstFailoverSrc *self)
{
  auto *priv = self->priv;
  HealthConfig hc;
  PolicyConfig pc;
  {
    std::lock_guard<std::mutex> g (priv->settings_lock);
    hc = health_config (priv->settings);
    pc = policy_config (priv->settings);
    priv->hold_ns = priv->settings.hold_last_frame * GST_MSECOND;
  }
  std::lock_guard<std::mutex> g (priv->state_lock);
  if (priv->policy) {
    pc.standby = priv->policy->config ().standby;
    priv->policy->set_config (pc);
  }
  for (auto &kv : priv->runs)
    kv.second->health->set_config (hc);
}

static void
gst_failover_src_set_property (GObject *object, guint prop_id,
                               const GValue *value, GParamSpec *pspec)
{
  auto *self = GST_FAILOVER_SRC (object);
  auto *priv = self->priv;
  bool runtime = false;
  bool notify_other = false;
  if (prop_id == PROP_ACTIVE_CANDIDATE) {
    request_switch (self, g_value_get_int (value));
    return;
  }
  {
    std::lock_guard<std::mutex> g (priv->settings_lock);
    Settings &s = priv->settings;
    switch (prop_id) {
    case PROP_URIS: {
      const gchar *str = g_value_get_string (value);
      s.uris = split_uri_list (str ? str : "");
      notify_other = true;
      break;
    }
    case PROP_URI_LIST: {
      s.uris.clear ();
      auto **strv = static_cast<gchar **> (g_value_get_boxed (value));
      for (int i = 0; strv && strv[i]; i++) {
        auto parts = split_uri_list (strv[i]);
        s.uris.insert (s.uris.end (), parts.begin (), parts.end ());
      }
      notify_other = true;
      break;
    }
    case PROP_VIDEO_CAPS:
    case PROP_AUDIO_CAPS: {
      int st = prop_id == PROP_VIDEO_CAPS ? VIDEO : AUDIO;
      const GstCaps *c = gst_value_get_caps (value);
      gst_caps_replace (&s.caps[st],
                        c && !gst_caps_is_any (c) && !gst_caps_is_empty (c)
                            ? (GstCaps *)c
                            : nullptr);
      break;
    }
    case PROP_STANDBY:
      s.standby = (GstFailoverSrcStandby)g_value_get_enum (value);
      break;
    case PROP_TIMEOUT:
      s.timeout = g_value_get_uint (value);
      runtime = true;
      break;
    case PROP_ADAPTIVE_TIMEOUT:
      s.adaptive_timeout = g_value_get_uint (value);
      runtime = true;
      break;
    case PROP_STARTUP_TIMEOUT:
      s.startup_timeout = g_value_get_uint (value);
      runtime = true;
      break;
    case PROP_MIN_BITRATE:
      s.min_bitrate = g_value_get_uint (value);
      runtime = true;
      break;
    case PROP_BITRATE_WINDOW:
      s.bitrate_window = g_value_get_uint (value);
      runtime = true;
      break;
    case PROP_LOW_BITRATE_WINDOWS:
      s.low_bitrate_windows = g_value_get_uint (value);
      runtime = true;
      break;
    case PROP_RETRY_DELAY:
      s.retry_delay = g_value_get_uint (value);
      runtime = true;
      break;
    case PROP_RETRY_MAX_DELAY:
      s.retry_max_delay = g_value_get_uint (value);
      runtime = true;
      break;
    case PROP_RETRY_MAX_ATTEMPTS:
      s.retry_max_attempts = g_value_get_int (value);
      runtime = true;
      break;
    case PROP_FAILBACK_HOLDOFF:
      s.failback_holdoff = g_value_get_uint (value);
      runtime = true;
      break;
    case PROP_AUTO_FAILBACK:
      s.auto_failback = g_value_get_boolean (value);
      runtime = true;
      break;
    case PROP_HOLD_LAST_FRAME:
      s.hold_last_frame = g_value_get_uint (value);
      runtime = true;
      break;
    case PROP_FALLBACK_IMAGE: {
      const gchar *str = g_value_get_string (value);
      s.fallback_image = str ? str : "";
      break;
    }
    case PROP_LATENCY:
      s.latency = g_value_get_uint (value);
      break;
    case PROP_ALL_FAILED:
      s.all_failed = (GstFailoverSrcAllFailed)g_value_get_enum (value);
      break;
    case PROP_ENABLE_VIDEO:
      s.enable[VIDEO] = g_value_get_boolean (value);
      break;
    case PROP_ENABLE_AUDIO:
      s.enable[AUDIO] = g_value_get_boolean (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      return;
    }
  }
  if (notify_other)
    g_object_notify (object, prop_id == PROP_URIS ? "uri-list" : "uris");
  if (runtime) {
    priv->loop.post ([keep = SelfRef (self)] {
      GstFailoverSrc *self = keep.p;
      apply_runtime_settings (self);
    });
  }
}

static void
gst_failover_src_get_property (GObject *object, guint prop_id, GValue *value,
                               GParamSpec *pspec)
{
  auto *self = GST_FAILOVER_SRC (object);
  auto *priv = self->priv;
  switch (prop_id) {
  case PROP_ACTIVE_CANDIDATE:
    g_value_set_int (value, priv->active_index.load ());
    return;
  case PROP_STATUS: {
    std::lock_guard<std::mutex> g (priv->state_lock);
    g_value_set_enum (value, priv->status);
    return;
  }
  case PROP_STATISTICS:
    g_value_take_boxed (value, make_statistics (self));
    return;
  default:
    break;
  }
  std::lock_guard<std::mutex> g (priv->settings_lock);
  Settings &s = priv->settings;
  switch (prop_id) {
  case PROP_URIS:
    g_value_set_string (value, join_uri_list (s.uris).c_str ());
    break;
  case PROP_URI_LIST: {
    gchar **strv = g_new0 (gchar *, s.uris.size () + 1);
    for (std::size_t i = 0; i < s.uris.size (); i++)
      strv[i] = g_strdup (s.uris[i].c_str ());
    g_value_take_boxed (value, strv);
    break;
  }
  case PROP_VIDEO_CAPS:
    gst_value_set_caps (value, s.caps[VIDEO]);
    break;
  case PROP_AUDIO_CAPS:
    gst_value_set_caps (value, s.caps[AUDIO]);
    break;
  case PROP_STANDBY:
    g_value_set_enum (value, s.standby);
    break;
  case PROP_TIMEOUT:
    g_value_set_uint (value, s.timeout);
    break;
  case PROP_ADAPTIVE_TIMEOUT:
    g_value_set_uint (value, s.adaptive_timeout);
    break;
  case PROP_STARTUP_TIMEOUT:
    g_value_set_uint (value, s.startup_timeout);
    break;
  case PROP_MIN_BITRATE:
    g_value_set_uint (value, s.min_bitrate);
    break;
  case PROP_BITRATE_WINDOW:
    g_value_set_uint (value, s.bitrate_window);
    break;
  case PROP_LOW_BITRATE_WINDOWS:
    g_value_set_uint (value, s.low_bitrate_windows);
    break;
  case PROP_RETRY_DELAY:
    g_value_set_uint (value, s.retry_delay);
    break;
  case PROP_RETRY_MAX_DELAY:
    g_value_set_uint (value, s.retry_max_delay);
    break;
  case PROP_RETRY_MAX_ATTEMPTS:
    g_value_set_int (value, s.retry_max_attempts);
    break;
  case PROP_FAILBACK_HOLDOFF:
    g_value_set_uint (value, s.failback_holdoff);
    break;
  case PROP_AUTO_FAILBACK:
    g_value_set_boolean (value, s.auto_failback);
    break;
  case PROP_HOLD_LAST_FRAME:
    g_value_set_uint (value, s.hold_last_frame);
    break;
  case PROP_FALLBACK_IMAGE:
    g_value_set_string (
        value, s.fallback_image.empty () ? nullptr : s.fallback_image.c_str ());
    break;
  case PROP_LATENCY:
    g_value_set_uint (value, s.latency);
    break;
  case PROP_ALL_FAILED:
    g_value_set_enum (value, s.all_failed);
    break;
  case PROP_ENABLE_VIDEO:
    g_value_set_boolean (value, s.enable[VIDEO]);
    break;
  case PROP_ENABLE_AUDIO:
    g_value_set_boolean (value, s.enable[AUDIO]);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    break;
  }
}

/* ---- GObject boilerplate --------------------------------------------------
 */

/* Streaming thread of an output appsrc: like fallbacksrc, a pad without a
 * peer is not an error. */
static GstPadProbeReturn
drop_if_unlinked (GstPad *pad, GstPadProbeInfo *, gpointer)
{
  return gst_pad_is_linked (pad) ? GST_PAD_PROBE_OK : GST_PAD_PROBE_DROP;
}

static void
gst_failover_src_init (GstFailoverSrc *self)
{
  self->priv = new GstFailoverSrcPrivate ();
  auto *priv = self->priv;
  for (int st = 0; st < 2; st++) {
    gchar *name = g_strdup_printf ("%s-out", stream_names[st]);
    priv->appsrc[st] = gst_element_factory_make ("appsrc", name);
    g_free (name);
    g_object_set (priv->appsrc[st], "is-live", TRUE, "format", GST_FORMAT_TIME,
                  "do-timestamp", FALSE, "block", FALSE, "max-bytes",
                  (guint64)0, "max-buffers", (guint64)0, "max-time",
                  (guint64)(2 * GST_SECOND), "leaky-type",
                  2 /* downstream: drop the oldest */, "handle-segment-change",
                  FALSE, "emit-signals", FALSE, "min-latency",
                  (gint64)(DEFAULT_LATENCY_MS * GST_MSECOND), nullptr);
    gst_bin_add (GST_BIN (self), priv->appsrc[st]);
    GstPad *target = gst_element_get_static_pad (priv->appsrc[st], "src");
    GstPadTemplate *templ = gst_static_pad_template_get (
        st == VIDEO ? &video_template : &audio_template);
    priv->ghost[st]
        = gst_ghost_pad_new_from_template (stream_names[st], target, templ);
    gst_object_unref (templ);
    gst_object_unref (target);
    gst_pad_set_active (priv->ghost[st], TRUE);
    /* An output pad nobody linked (video only, audio only) drops its
     * buffers instead of failing the appsrc with not-linked. */
    gst_pad_add_probe (priv->ghost[st],
                       (GstPadProbeType)(GST_PAD_PROBE_TYPE_BUFFER
                                         | GST_PAD_PROBE_TYPE_BUFFER_LIST),
                       drop_if_unlinked, nullptr, nullptr);
    gst_element_add_pad (GST_ELEMENT (self), priv->ghost[st]);
  }
  GST_OBJECT_FLAG_SET (self, GST_ELEMENT_FLAG_SOURCE);
  GST_OBJECT_FLAG_UNSET (self, GST_ELEMENT_FLAG_SINK);
}

static void
gst_failover_src_finalize (GObject *object)
{
  auto *self = GST_FAILOVER_SRC (object);
  auto *priv = self->priv;
  priv->loop.stop ();
  for (int st = 0; st < 2; st++) {
    gst_clear_caps (&priv->settings.caps[st]);
  }
  reset_outputs (self);
  GstClock *clock = priv->clock.exchange (nullptr);
  if (clock)
    gst_object_unref (clock);
  delete priv;
  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static void
gst_failover_src_class_init (GstFailoverSrcClass *klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBinClass *bin_class = GST_BIN_CLASS (klass);

  GST_DEBUG_CATEGORY_INIT (failover_src_debug, "failoversrc", 0,
                           "Live source failing over between candidate inputs");

  static const gchar *no_tags[] = { nullptr };
  origin_meta_info = gst_meta_register_custom (ORIGIN_META_NAME, no_tags,
                                               nullptr, nullptr, nullptr);
  if (!origin_meta_info) /* registered before (the plugin was reloaded) */
    origin_meta_info = gst_meta_get_info (ORIGIN_META_NAME);
  q_index = g_quark_from_static_string ("index");
  q_source = g_quark_from_static_string ("source");

  gobject_class->set_property = gst_failover_src_set_property;
  gobject_class->get_property = gst_failover_src_get_property;
  gobject_class->finalize = gst_failover_src_finalize;
  element_class->change_state
      = GST_DEBUG_FUNCPTR (gst_failover_src_change_state);
  element_class->send_event = GST_DEBUG_FUNCPTR (gst_failover_src_send_event);
  bin_class->handle_message
      = GST_DEBUG_FUNCPTR (gst_failover_src_handle_message);

  const GParamFlags rw_ready
      = (GParamFlags)(G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS
                      | GST_PARAM_MUTABLE_READY);
  const GParamFlags rw_playing
      = (GParamFlags)(G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS
                      | GST_PARAM_MUTABLE_PLAYING);
  const GParamFlags ro
      = (GParamFlags)(G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

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
  g_object_class_install_property (
      gobject_class, PROP_STANDBY,
      g_param_spec_enum (
          "standby", "Standby",
          "Cold starts the next candidate only when needed; hot keeps the "
          "next candidate connected and decoded for a switch of about one "
          "frame.",
          gst_failover_src_standby_get_type (), DEFAULT_STANDBY, rw_ready));
  g_object_class_install_property (
      gobject_class, PROP_TIMEOUT,
      g_param_spec_uint (
          "timeout", "Timeout",
          "Silence in milliseconds after which a running candidate counts as "
          "failed (errors, EOS and pad removal switch at once).",
          1, G_MAXUINT, DEFAULT_TIMEOUT_MS, rw_playing));
  g_object_class_install_property (
      gobject_class, PROP_ADAPTIVE_TIMEOUT,
      g_param_spec_uint (
          "adaptive-timeout", "Adaptive timeout",
          "Silence in milliseconds allowed to HLS/DASH/HTTP candidates, whose "
          "data arrives in segment bursts; the larger of this and 'timeout' "
          "applies to them.",
          1, G_MAXUINT, DEFAULT_ADAPTIVE_TIMEOUT_MS, rw_playing));
  g_object_class_install_property (
      gobject_class, PROP_STARTUP_TIMEOUT,
      g_param_spec_uint (
          "startup-timeout", "Startup timeout",
          "Time in milliseconds a starting candidate gets to deliver its "
          "first decoded frame before it counts as failed.",
          1, G_MAXUINT, DEFAULT_STARTUP_TIMEOUT_MS, rw_playing));
  g_object_class_install_property (
      gobject_class, PROP_MIN_BITRATE,
      g_param_spec_uint (
          "min-bitrate", "Minimum bitrate",
          "Bitrate floor in kbit/s of the encoded data a candidate delivers; "
          "0 disables the bitrate check.",
          0, G_MAXUINT, DEFAULT_MIN_BITRATE_KBPS, rw_playing));
  g_object_class_install_property (
      gobject_class, PROP_BITRATE_WINDOW,
      g_param_spec_uint (
          "bitrate-window", "Bitrate window",
          "Length in milliseconds of one bitrate measurement window.", 1,
          G_MAXUINT, DEFAULT_BITRATE_WINDOW_MS, rw_playing));
  g_object_class_install_property (
      gobject_class, PROP_LOW_BITRATE_WINDOWS,
      g_param_spec_uint (
          "low-bitrate-windows", "Low bitrate windows",
          "Consecutive windows under 'min-bitrate' that count as a failure.", 1,
          G_MAXUINT, DEFAULT_LOW_BITRATE_WINDOWS, rw_playing));
  g_object_class_install_property (
      gobject_class, PROP_RETRY_DELAY,
      g_param_spec_uint (
          "retry-delay", "Retry delay",
          "First retry delay in milliseconds of a failed candidate; later "
          "retries back off exponentially with jitter.",
          0, G_MAXUINT, DEFAULT_RETRY_DELAY_MS, rw_playing));
  g_object_class_install_property (
      gobject_class, PROP_RETRY_MAX_DELAY,
      g_param_spec_uint ("retry-max-delay", "Retry max delay",
                         "Cap in milliseconds of the retry delay.", 0,
                         G_MAXUINT, DEFAULT_RETRY_MAX_DELAY_MS, rw_playing));
  g_object_class_install_property (
      gobject_class, PROP_RETRY_MAX_ATTEMPTS,
      g_param_spec_int (
          "retry-max-attempts", "Retry max attempts",
          "Retries per candidate before giving up on it; -1 is unlimited "
          "(fatal failures are never retried).",
          -1, G_MAXINT, DEFAULT_RETRY_MAX_ATTEMPTS, rw_playing));
  g_object_class_install_property (
      gobject_class, PROP_FAILBACK_HOLDOFF,
      g_param_spec_uint (
          "failback-holdoff", "Failback hold-off",
          "Time in milliseconds a higher-priority candidate must be healthy "
          "before the output returns to it (doubled for a candidate that "
          "fails again soon after a failback).",
          0, G_MAXUINT, DEFAULT_FAILBACK_HOLDOFF_MS, rw_playing));
  g_object_class_install_property (
      gobject_class, PROP_AUTO_FAILBACK,
      g_param_spec_boolean (
          "auto-failback", "Auto failback",
          "Return to a higher-priority candidate automatically once it has "
          "been healthy for the hold-off.",
          DEFAULT_AUTO_FAILBACK, rw_playing));
  g_object_class_install_property (
      gobject_class, PROP_HOLD_LAST_FRAME,
      g_param_spec_uint (
          "hold-last-frame", "Hold last frame",
          "When nothing is healthy, how long in milliseconds the last frame "
          "is repeated before black or the fallback image; 0 shows black at "
          "once.",
          0, G_MAXUINT, DEFAULT_HOLD_LAST_FRAME_MS, rw_playing));
  g_object_class_install_property (
      gobject_class, PROP_FALLBACK_IMAGE,
      g_param_spec_string (
          "fallback-image", "Fallback image",
          "Path of a PNG or JPEG image shown instead of black when nothing is "
          "healthy; unset shows black.",
          nullptr, rw_ready));
  g_object_class_install_property (
      gobject_class, PROP_LATENCY,
      g_param_spec_uint (
          "latency", "Latency",
          "Latency in milliseconds the element reports and uses to absorb "
          "network jitter and switch-time reordering.",
          0, G_MAXUINT, DEFAULT_LATENCY_MS, rw_ready));
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

  /**
   * GstFailoverSrc::switch-to:
   * @failoversrc: the failoversrc
   * @index: the candidate index to put on the output (0 = first of `uris`),
   *   or -1 to return to the automatic choice
   *
   * Manual switch (GObject signals cannot name their arguments: tools show
   * them as arg0).
   *
   * Returns: FALSE if @index is out of range or that candidate was given up.
   */
  signals[SIGNAL_SWITCH_TO] = g_signal_new_class_handler (
      "switch-to", G_TYPE_FROM_CLASS (klass),
      (GSignalFlags)(G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION),
      G_CALLBACK (request_switch), nullptr, nullptr, nullptr, G_TYPE_BOOLEAN, 1,
      G_TYPE_INT);

  gst_element_class_add_static_pad_template (element_class, &video_template);
  gst_element_class_add_static_pad_template (element_class, &audio_template);
  gst_element_class_set_static_metadata (
      element_class, "Failover source", "Source/Bin/Video/Audio",
      "Plays the best healthy of an ordered list of inputs of any protocol "
      "with continuous raw video and audio output",
      "gst-resilient");

  gst_type_mark_as_plugin_api (gst_failover_src_standby_get_type (),
                               (GstPluginAPIFlags)0);
  gst_type_mark_as_plugin_api (gst_failover_src_status_get_type (),
                               (GstPluginAPIFlags)0);
  gst_type_mark_as_plugin_api (gst_failover_src_all_failed_get_type (),
                               (GstPluginAPIFlags)0);
}
