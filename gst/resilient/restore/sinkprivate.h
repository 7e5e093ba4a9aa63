/* gst-resilient: autorestoresink's private state, shared by the element
 * file (the GObject shell) and its parts in this folder: the publish
 * front (publishfront.cpp) and the controller on the loop
 * (controller.cpp). Not installed, not for other elements.
 *
 * Settings are what the properties set (settings_lock); `run` is their
 * copy for a run (NULL->READY). Front, sessions, hold queue and counters
 * are shared with the streaming threads under `lock`; the rest is the
 * control loop's (RETURN_IF_NOT_ON_LOOP asserts it where it matters).
 */
#pragma once

#include "gstautorestoresink.h"

#include "common/controlloop.h"
#include "common/messages.h"
#include "common/publishtransport.h"
#include "common/selfref.h"
#include "resilient/cluster/client.h"
#include "resilient/restore/coordinator.h"
#include "resilient/restore/destination_list.h"
#include "resilient/restore/encoder_chain.h"
#include "resilient/restore/hold_queue.h"
#include "resilient/restore/reach_probe.h"
#include "resilient/restore/restore_scheduler.h"
#include "resilient/restore/watchers.h"
#include "restore/publishsession.h"
#include "restore/eosdrain.h"
#include "restore/publishfront.h"
#include "restore/healthtick.h"
#include "restore/reachability.h"
#include "restore/recordingcontrol.h"

#include <gio/gio.h>
#include <gst/app/app.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

GST_DEBUG_CATEGORY_EXTERN (gst_auto_restore_sink_debug);
#define GST_CAT_DEFAULT gst_auto_restore_sink_debug

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
/* After a restore, a second keyframe this long after the first: players
 * that reconnect during the first second of the restored stream (or that
 * waited on a server that did not pass them the first one) get a picture
 * without waiting a whole keyframe interval. */
#define RESTORE_KEYFRAME_REPEAT_MS 1000

typedef enum {
  GST_AUTO_RESTORE_SINK_STATUS_STOPPED,
  GST_AUTO_RESTORE_SINK_STATUS_CONNECTING,
  GST_AUTO_RESTORE_SINK_STATUS_PUBLISHING,
  GST_AUTO_RESTORE_SINK_STATUS_RESTORING,
  GST_AUTO_RESTORE_SINK_STATUS_GAVE_UP,
  GST_AUTO_RESTORE_SINK_STATUS_FAILED,
} GstAutoRestoreSinkStatus;

namespace resilient::gst::autorestore {

using namespace resilient;
using namespace resilient::restore;
using resilient::gst::ControlLoop;
using resilient::gst::MessageRef;
using resilient::gst::PublishTransport;
using resilient::gst::TransportFailure;
using resilient::gst::TransportHealth;

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

/* Cancels timer `id` of `loop` if one is set, and clears it. */
inline void
cancel_timer (ControlLoop &loop, ControlLoop::TimerId &id)
{
  if (id) {
    loop.cancel (id);
    id = 0;
  }
}

/* The element, kept alive by a task on the loop (released when the task
 * has run or is dropped: timer cancelled, loop stopped). */
using SelfRef = resilient::gst::SelfRef<GstAutoRestoreSink>;

struct Private
{
  explicit Private (GstAutoRestoreSink *self)
      : front (self), health (self), reach (self), drain (self), recorder (self)
  {
  }

  std::mutex settings_lock;
  Settings settings;

  /* Copied from settings on NULL->READY. */
  Settings run;

  std::mutex lock;
  /* The two fronts and the encoder chain (restore/publishfront.h); each
   * Front's encoded caps under `lock`. */
  PublishFront front;
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
  std::uint64_t next_session_id = 1;
  bool started = false;
  bool stopping = false;
  bool fatal = false;
  /* The controller's named parts, each owning its state. */
  HealthTick health;
  Reachability reach;
  EosDrain drain;
  RecordingControl recorder;
  /* A session waits for the first caps of a swapped encoder. */
  std::optional<size_t> pending_start;
};

} // namespace resilient::gst::autorestore

using GstAutoRestoreSinkPrivate = resilient::gst::autorestore::Private;

struct _GstAutoRestoreSink
{
  GstBin parent;
  GstAutoRestoreSinkPrivate *priv;
};

/* The loop-only state of GstAutoRestoreSinkPrivate is read and written on
 * the element's ControlLoop thread only. */
#define RETURN_IF_NOT_ON_LOOP(self)                                            \
  g_return_if_fail ((self)->priv->loop.on_loop_thread ())
#define RETURN_IF_NOT_ON_LOOP_VAL(self, val)                                   \
  g_return_val_if_fail ((self)->priv->loop.on_loop_thread (), (val))
